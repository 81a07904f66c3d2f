import Foundation
import ScaleApp
import ScaleCore
import Testing

/// Prices, monthly caps and `server_limit` in the configuration, and the billing rule each provider gets.
struct BillingConfigTests {
    static func config(_ provider: String) -> String {
        """
        [controller]
        fleet = "m"
        timezone = "UTC"

        [provider]
        \(provider)

        [roles.web]
        server_type = "cpx31"
        snapshot = { labels = "role=web" }
        """
    }

    @Test func theSimBillsLikeHetznerWithDemoPricesTheProfileCanChange() throws {
        let plain = try ConfigLoader.parse(Self.config("kind = \"sim\""), file: "/x/scalectl.toml")
        #expect(plain.provider.billing.rule == .hourlyStartedHours(monthlyCap: true))
        #expect(plain.provider.billing.currency == "EUR")
        #expect(plain.provider.billing.prices["cpx31"] == Price(hourly: 0.0211))
        #expect(plain.serverLimit == nil)

        let priced = try ConfigLoader.parse(
            Self.config("kind = \"sim\"\nserver_limit = 25\n[provider.prices]\ncpx31 = { hourly = 0.03, monthly = 18.5 }\ncx22 = 0.006"),
            file: "/x/scalectl.toml")
        #expect(priced.provider.billing.prices["cpx31"] == Price(hourly: 0.03, monthly: 18.5))
        #expect(priced.provider.billing.prices["cx22"] == Price(hourly: 0.006))
        #expect(priced.provider.billing.prices["cpx41"] == Price(hourly: 0.0395), "demo prices stay for the types not set")
        #expect(priced.serverLimit == 25)
    }

    @Test func hetznerPricesTakeAMonthlyCap() throws {
        let configuration = try ConfigLoader.parse(
            Self.config("kind = \"hetzner\"\n[provider.prices]\ncpx31 = { hourly = 0.0211, monthly = 13.10 }\ncpx41 = 0.0395"),
            file: "/x/scalectl.toml")
        let billing = configuration.provider.billing
        #expect(billing.rule == .hourlyStartedHours(monthlyCap: true) && billing.currency == "EUR")
        #expect(billing.prices == ["cpx31": Price(hourly: 0.0211, monthly: 13.10), "cpx41": Price(hourly: 0.0395)])
    }

    @Test func theSnapshotStoragePriceIsReadForEveryProvider() throws {
        for provider in ["kind = \"sim\"", "kind = \"hetzner\"", "kind = \"aws\"\nregion = \"eu-west-1\""] {
            #expect(try ConfigLoader.parse(Self.config(provider), file: "/x/scalectl.toml").snapshotGBMonth == nil)
            let priced = try ConfigLoader.parse(Self.config(provider + "\nsnapshot_gb_month = 0.0119"), file: "/x/scalectl.toml")
            #expect(priced.snapshotGBMonth == 0.0119, "\(provider)")
        }
    }

    @Test func awsBillsPerSecondInDollars() throws {
        let configuration = try ConfigLoader.parse(
            Self.config("kind = \"aws\"\nregion = \"eu-west-1\"\n[provider.prices]\n\"t3.large\" = 0.0832"), file: "/x/scalectl.toml")
        #expect(configuration.provider.billing == Billing(
            rule: .perSecond(minimum: .seconds(60)), currency: "USD", prices: ["t3.large": Price(hourly: 0.0832)]))
    }

    @Test(arguments: [
        ("kind = \"hetzner\"\n[provider.prices]\ncpx31 = { monthly = 13.10 }", "provider.prices.cpx31: needs hourly = PRICE in EUR"),
        ("kind = \"hetzner\"\n[provider.prices]\ncpx31 = { hourly = 0.02, monthly = -1 }", "provider.prices.cpx31.monthly: must be a price of 0 or more, in EUR"),
        ("kind = \"hetzner\"\n[provider.prices]\ncpx31 = { hourly = 0.02, yearly = 100 }", "provider.prices.cpx31.yearly: unknown key"),
        ("kind = \"sim\"\n[provider.prices]\ncpx31 = \"cheap\"", "provider.prices.cpx31: must be a number"),
        ("kind = \"sim\"\nserver_limit = 0", "provider.server_limit: must be between 1 and 1000000, not 0"),
        ("kind = \"hetzner\"\nsnapshot_gb_month = -0.01", "provider.snapshot_gb_month: must be a price of 0 or more per GB and month"),
        ("kind = \"aws\"\nregion = \"eu-west-1\"\nsnapshot_gb_month = \"cheap\"", "provider.snapshot_gb_month: must be a number"),
    ])
    func badPricesAndLimitsNameTheKey(_ provider: String, _ message: String) {
        #expect {
            _ = try ConfigLoader.parse(Self.config(provider), file: "/x/scalectl.toml")
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
