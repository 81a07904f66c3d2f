import Foundation

/// How a provider turns the time a server existed into a bill.
///
/// Only existence counts: a powered-off server bills like a running one until it is deleted (Hetzner
/// says so; scalectl never stops a server, it deletes it).
public enum BillingRule: Sendable, Hashable {
    /// Hourly, every started hour billed: 61 minutes bill 2 hours. Each calendar month (UTC) of a
    /// server's life is billed on its own, and with `monthlyCap` a month never costs more than the
    /// type's monthly price when the price list gives one (Hetzner Cloud).
    case hourlyStartedHours(monthlyCap: Bool)
    /// By the second, at least `minimum` per server (EC2 Linux on demand, DigitalOcean droplets: one
    /// minute), and at least `minimumCharge` in money (DigitalOcean: $0.01). With `monthlyCap`, each
    /// calendar month (UTC) of a server's life is billed on its own and never costs more than the type's
    /// monthly price when the price list gives one (DigitalOcean).
    case perSecond(minimum: Duration, monthlyCap: Bool = false, minimumCharge: Double = 0)

    /// For people: `hourly, each started hour billed, capped at the monthly price`.
    public var summary: String {
        switch self {
        case .hourlyStartedHours(let cap):
            "hourly, each started hour billed" + (cap ? ", a month capped at the type's monthly price" : "")
        case .perSecond(let minimum, let cap, let least):
            "per second, at least \(DurationText.format(minimum))" + (least > 0 ? " and \(least)" : "") + " per server"
                + (cap ? ", a month capped at the type's monthly price" : "")
        }
    }
}

/// What a server type costs, in the provider's currency.
public struct Price: Sendable, Hashable {
    public var hourly: Double
    /// The monthly cap, when the price list gives one.
    public var monthly: Double?

    public init(hourly: Double, monthly: Double? = nil) {
        self.hourly = hourly
        self.monthly = monthly
    }
}

/// What one server costs for one stretch of existence.
public struct Charge: Sendable, Hashable {
    /// How long it existed.
    public var seconds: Double
    /// The hours the rule bills (fractional per second).
    public var billedHours: Double
    /// The money, or nil when the server type has no price.
    public var amount: Double?
    /// Whether a monthly cap lowered the amount.
    public var capped: Bool

    public init(seconds: Double, billedHours: Double, amount: Double?, capped: Bool = false) {
        self.seconds = seconds
        self.billedHours = billedHours
        self.amount = amount
        self.capped = capped
    }
}

/// A provider's billing rule, currency and price list.
public struct Billing: Sendable, Hashable {
    public var rule: BillingRule
    /// `EUR`, `USD`.
    public var currency: String
    /// Server type → price.
    public var prices: [String: Price]

    public init(rule: BillingRule, currency: String, prices: [String: Price]) {
        self.rule = rule
        self.currency = currency
        self.prices = prices
    }

    /// What one server of `serverType` costs from `start` to `end`.
    public func charge(serverType: String?, from start: Date, to end: Date) -> Charge {
        let price = serverType.flatMap { prices[$0] }
        let seconds = max(0, end.timeIntervalSince(start))
        switch rule {
        case .perSecond(let minimum, let cap, let least):
            let billed = max(seconds.rounded(.up), minimum.timeInterval)
            guard cap, let price, let monthly = price.monthly else {
                return Charge(seconds: seconds, billedHours: billed / 3600, amount: price.map { max(least, billed / 3600 * $0.hourly) })
            }
            // The minimum tops up the first month; each month is capped on its own.
            var topUp = billed - seconds.rounded(.up)
            var amount = 0.0
            var capped = false
            for part in Self.calendarMonths(from: start, to: max(start, end)) {
                let money = (part.duration.rounded(.up) + topUp) / 3600 * price.hourly
                topUp = 0
                amount += min(money, monthly)
                capped = capped || money > monthly
            }
            return Charge(seconds: seconds, billedHours: billed / 3600, amount: max(least, amount), capped: capped)
        case .hourlyStartedHours(let cap):
            var hours = 0.0
            var amount = 0.0
            var capped = false
            for part in Self.calendarMonths(from: start, to: max(start, end)) {
                // A server that existed for no time at all was still created: it bills its first hour.
                guard part.duration > 0 || hours == 0 else { continue }
                let started = max(1, (part.duration / 3600).rounded(.up))
                hours += started
                guard let price else { continue }
                var money = started * price.hourly
                if cap, let monthly = price.monthly, money > monthly {
                    money = monthly
                    capped = true
                }
                amount += money
            }
            return Charge(seconds: seconds, billedHours: hours, amount: price == nil ? nil : amount, capped: capped)
        }
    }

    /// `[start, end]` cut at the first instant of each calendar month (UTC) in between.
    static func calendarMonths(from start: Date, to end: Date) -> [DateInterval] {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        var parts: [DateInterval] = []
        var cursor = start
        while let month = utc.dateInterval(of: .month, for: cursor), month.end < end {
            parts.append(DateInterval(start: cursor, end: month.end))
            cursor = month.end
        }
        parts.append(DateInterval(start: cursor, end: end))
        return parts
    }
}
