import Foundation

extension ConfigLoader {
    /// `[provider.prices]` of an hourly-billed provider: `TYPE = HOURLY`, or
    /// `TYPE = { hourly = HOURLY, monthly = MONTHLY }` with the monthly price that caps a month.
    static func hourlyPrices(_ table: TOMLReader, currency: String) throws -> (hourly: [String: Double], monthly: [String: Double]) {
        var hourly: [String: Double] = [:]
        var monthly: [String: Double] = [:]
        guard let prices = try table.table("prices") else { return (hourly, monthly) }
        for serverType in prices.keys {
            if let entry = try? prices.table(serverType) {
                hourly[serverType] = try price(entry, "hourly", required: true, serverType: serverType, currency: currency)
                monthly[serverType] = try price(entry, "monthly", required: false, serverType: serverType, currency: currency)
                try entry.finish()
                continue
            }
            guard let price = try prices.number(serverType), price >= 0 else {
                throw prices.error(
                    serverType,
                    "must be a price of 0 or more, in \(currency) per hour, such as \(serverType) = 0.0211 (or { hourly = 0.0211, monthly = 13.10 })")
            }
            hourly[serverType] = price
        }
        try prices.finish()
        return (hourly, monthly)
    }

    private static func price(_ entry: TOMLReader, _ key: String, required: Bool, serverType: String, currency: String) throws -> Double? {
        guard let value = try entry.number(key) else {
            guard !required else { throw entry.error(nil, "needs hourly = PRICE in \(currency), such as { hourly = 0.0211, monthly = 13.10 }") }
            return nil
        }
        guard value >= 0 else { throw entry.error(key, "must be a price of 0 or more, in \(currency)") }
        return value
    }
}
