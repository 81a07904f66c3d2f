import Foundation
import ScaleApp
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// `kind = "digitalocean"`: every key read into typed settings, every mistake named with its key, and
/// the billing rule.
struct DigitalOceanConfigTests {
    static let config = """
        [controller]
        fleet = "mihiluze"
        timezone = "UTC"

        [provider]
        kind = "digitalocean"
        endpoint = "http://127.0.0.1:8080/v2"
        token_env = "MY_DO_TOKEN"
        region = "ams3"
        vpc_uuid = "5a4981aa-9653-4bd1-bef5-d6bff52042e4"
        ssh_keys = ["3b:16:bf:e4"]
        tags = ["mihiluze", "env:prod"]
        monitoring = true
        per_page = 50
        requests_per_minute = 100
        shutdown_timeout = "30s"
        batch_window = "50ms"

        [provider.prices]
        s-2vcpu-4gb = { hourly = 0.03571, monthly = 24.00 }

        [roles.frontal]
        count = 2
        server_type = "s-2vcpu-4gb"
        snapshot = { name_prefix = "frontal-", max_age = "20h" }
        load_balancer = "mihiluze-lb"
        """

    static func parse(_ text: String) throws -> Configuration { try ConfigLoader.parse(text, file: "/etc/scalectl/scalectl.toml") }

    @Test func readsEveryKey() throws {
        let configuration = try Self.parse(Self.config)
        guard case .digitalOcean(let settings) = configuration.provider else { throw FakeError(description: "not digitalocean") }
        #expect(settings.endpoint.absoluteString == "http://127.0.0.1:8080/v2" && settings.tokenVariable == "MY_DO_TOKEN")
        #expect(settings.region == "ams3" && settings.vpcUUID == "5a4981aa-9653-4bd1-bef5-d6bff52042e4")
        #expect(settings.sshKeys == ["3b:16:bf:e4"] && settings.tags == ["mihiluze", "env:prod"] && settings.monitoring)
        #expect(settings.requestsPerMinute == 100 && DigitalOceanSettings().requestsPerMinute == 250)
        #expect(settings.perPage == 50 && settings.shutdownTimeout == .seconds(30) && settings.batchWindow == .milliseconds(50))
        #expect(settings.roleBalancers == ["frontal": "mihiluze-lb"])
        let rule = try #require(configuration.fleet.role("frontal")?.snapshot)
        #expect(rule.selector == "frontal-" && rule.matching == .namePrefix && rule.maxAge == .seconds(20 * 3600))
        #expect(!configuration.fleet.balancerReportsHealth, "no health per droplet: the planner waits for none")
    }

    @Test func theShippedProfile() throws {
        let profile = "\(TestTools.repositoryRoot)/providers/digitalocean.toml"
        let text = "[controller]\nfleet = \"m\"\ntimezone = \"UTC\"\n[provider]\nprofile = \"\(profile)\"\nregion = \"nyc3\"\n[roles.web]\nserver_type = \"s-2vcpu-4gb\"\nsnapshot = { name_prefix = \"web-\" }\n"
        guard case .digitalOcean(let settings) = try Self.parse(text).provider else { throw FakeError(description: "not digitalocean") }
        #expect(settings.region == "nyc3", "inline keys win over the profile's")
        #expect(settings.endpoint == DigitalOceanSettings.defaultEndpoint && settings.tokenVariable == "DIGITALOCEAN_TOKEN")
        #expect(settings.prices["s-2vcpu-4gb"] == 0.03571 && settings.monthlyPrices["s-2vcpu-4gb"] == 24)
    }

    /// Each mistake: the text replaced, and what the message must say.
    static let broken: [(String, String, String)] = [
        ("region = \"ams3\"\n", "", "provider.region"),
        ("region = \"ams3\"", "region = \"Amsterdam 3\"", "is not a DigitalOcean region slug"),
        ("vpc_uuid = \"5a4981aa-9653-4bd1-bef5-d6bff52042e4\"", "vpc_uuid = \"default\"", "provider.vpc_uuid: \"default\" is not a VPC UUID"),
        ("tags = [\"mihiluze\", \"env:prod\"]", "tags = [\"env prod\"]", "provider.tags: \"env prod\" is not a DigitalOcean tag"),
        ("endpoint = \"http://127.0.0.1:8080/v2\"", "endpoint = \"http://api.example.org/v2\"", "would send the token unencrypted"),
        ("per_page = 50", "per_page = 500", "provider.per_page"),
        ("requests_per_minute = 100", "requests_per_minute = 1000", "provider.requests_per_minute"),
        ("snapshot = { name_prefix = \"frontal-\", max_age = \"20h\" }", "snapshot = { labels = \"role=frontal\" }", "roles.frontal.snapshot.labels: is not used with DigitalOcean"),
        ("snapshot = { name_prefix = \"frontal-\", max_age = \"20h\" }", "snapshot = { max_age = \"20h\" }", "name_prefix"),
        ("snapshot = { name_prefix = \"frontal-\", max_age = \"20h\" }", "snapshot = { name_prefix = \"\" }", "name_prefix: must not be empty"),
    ]

    @Test(arguments: broken)
    func mistakesNameTheKey(_ mistake: (String, String, String)) throws {
        #expect(Self.config.contains(mistake.0))
        do {
            _ = try Self.parse(Self.config.replacingOccurrences(of: mistake.0, with: mistake.1))
            Issue.record("accepted: \(mistake.1)")
        } catch let error as ConfigError {
            #expect("\(error)".contains(mistake.2), "\(error)")
        }
    }

    @Test func otherProvidersRefuseANamePrefix() throws {
        let text = "[controller]\nfleet = \"m\"\ntimezone = \"UTC\"\n[provider]\nkind = \"sim\"\n[roles.web]\nserver_type = \"cx22\"\nsnapshot = { name_prefix = \"web-\" }\n"
        #expect(throws: ConfigError.self) { try Self.parse(text) }
    }

    /// Seconds alive from 2026-11-01T00:00Z, and the USD expected.
    static let charges: [(seconds: Double, usd: Double)] = [
        (30, 0.01),  // 60 s would cost $0.0006: the minimum charge is $0.01
        (1800, 0.5 * 0.03571),  // half an hour by the second
        (5400, 1.5 * 0.03571),  // 90 minutes by the second, not two started hours
        (40 * 86_400, 24.00 + 240 * 0.03571),  // November (720 h) capped at 24.00; December's 10 days under the cap
    ]

    /// Per second with a 60-second minimum, each calendar month capped at the size's monthly price.
    @Test(arguments: charges)
    func dropletsBillPerSecondWithAMonthlyCap(_ c: (seconds: Double, usd: Double)) throws {
        let billing = try Self.parse(Self.config).provider.billing
        #expect(billing.currency == "USD" && billing.rule == .perSecond(minimum: .seconds(60), monthlyCap: true, minimumCharge: 0.01))
        let start = try Date("2026-11-01T00:00:00Z", strategy: .iso8601)
        let charge = billing.charge(serverType: "s-2vcpu-4gb", from: start, to: start.addingTimeInterval(c.seconds))
        #expect(abs((charge.amount ?? -1) - c.usd) < 0.0001, "\(charge)")
        #expect(charge.capped == (c.seconds > 30 * 86_400))
    }
}
