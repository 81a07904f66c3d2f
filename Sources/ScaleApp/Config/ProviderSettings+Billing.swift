import Foundation
import ScaleCore

extension ProviderSettings {
    /// The provider's billing rule and currency, with the profile's prices.
    ///
    /// - Hetzner Cloud: hourly, every started hour billed, a server's month capped at its type's monthly
    ///   price (when `[provider.prices]` gives it); a powered-off server bills until deleted. EUR.
    /// - The sim: billed like Hetzner, with demo prices unless the profile sets its own. EUR.
    /// - AWS: EC2 Linux on demand, per second with a one-minute minimum. USD.
    /// - DigitalOcean: droplets per second (since 2026-01-01) with a minimum of 60 seconds or $0.01,
    ///   whichever is higher, a droplet's month capped at its size's monthly price (when
    ///   `[provider.prices]` gives it); a powered-off droplet bills until destroyed. USD.
    public var billing: Billing {
        switch self {
        case .sim(let settings):
            Billing(rule: .hourlyStartedHours(monthlyCap: true), currency: "EUR", prices: Self.prices(settings.prices, monthly: settings.monthlyPrices))
        case .hetzner(let settings):
            Billing(rule: .hourlyStartedHours(monthlyCap: true), currency: "EUR", prices: Self.prices(settings.prices, monthly: settings.monthlyPrices))
        case .aws(let settings):
            Billing(rule: .perSecond(minimum: .seconds(60)), currency: "USD", prices: settings.prices.mapValues { Price(hourly: $0) })
        case .digitalOcean(let settings):
            Billing(rule: .perSecond(minimum: .seconds(60), monthlyCap: true, minimumCharge: 0.01), currency: "USD", prices: Self.prices(settings.prices, monthly: settings.monthlyPrices))
        }
    }

    private static func prices(_ hourly: [String: Double], monthly: [String: Double]) -> [String: Price] {
        Dictionary(uniqueKeysWithValues: hourly.map { ($0.key, Price(hourly: $0.value, monthly: monthly[$0.key])) })
    }
}
