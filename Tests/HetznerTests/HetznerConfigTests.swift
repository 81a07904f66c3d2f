import Foundation
import ScaleApp
import ScaleProviders
import ScaleTesting
import Testing

/// `kind = "hetzner"`: every key read into typed settings, every mistake named with file, line and key.
struct HetznerConfigTests {
    static let config = """
        [controller]
        fleet = "mihiluze"
        timezone = "UTC"

        [provider]
        kind = "hetzner"
        endpoint = "http://127.0.0.1:8080/v1"
        token_env = "MY_HCLOUD_TOKEN"
        location = "hel1"
        network = 42
        firewalls = [7, 8]
        use_private_ip = true
        lb_targets = "servers"
        per_page = 5
        action_poll_interval = "500ms"
        action_timeout = "5m"
        shutdown_timeout = "30s"
        request_timeout = "10s"

        [provider.prices]
        cpx31 = 0.0211
        cpx41 = 1

        [roles.frontal]
        count = 2
        server_type = "cpx31"
        snapshot = { labels = "role=frontal" }
        """

    static func settings(_ text: String) throws -> HetznerSettings {
        guard case .hetzner(let settings) = try ConfigLoader.parse(text, file: "/etc/scalectl/scalectl.toml").provider else {
            throw FakeError(description: "not a hetzner provider")
        }
        return settings
    }

    @Test func readsEveryKey() throws {
        let settings = try Self.settings(Self.config)
        #expect(settings.endpoint.absoluteString == "http://127.0.0.1:8080/v1")
        #expect(settings.tokenVariable == "MY_HCLOUD_TOKEN" && settings.tokenFile == nil)
        #expect(settings.location == "hel1" && settings.network == 42 && settings.firewalls == [7, 8])
        #expect(settings.usePrivateIP && settings.targets == .servers && settings.perPage == 5)
        #expect(settings.actionPollInterval == .milliseconds(500) && settings.actionTimeout == .seconds(300))
        #expect(settings.shutdownTimeout == .seconds(30) && settings.requestTimeout == .seconds(10))
        #expect(settings.prices == ["cpx31": 0.0211, "cpx41": 1])
    }

    @Test func theDefaultsAndTheShippedProfile() throws {
        let bare = try Self.settings("[controller]\nfleet = \"m\"\ntimezone = \"UTC\"\n[provider]\nkind = \"hetzner\"\n[roles.web]\nserver_type = \"cx22\"\nsnapshot = { labels = \"role=web\" }\n")
        #expect(bare == HetznerSettings())
        #expect(bare.endpoint.absoluteString == "https://api.hetzner.cloud/v1" && bare.tokenVariable == "HCLOUD_TOKEN")
        #expect(bare.perPage == 50 && bare.targets == .labelSelector && !bare.usePrivateIP)

        let profile = "\(TestTools.repositoryRoot)/providers/hetzner.toml"
        let text = "[controller]\nfleet = \"m\"\ntimezone = \"UTC\"\n[provider]\nprofile = \"\(profile)\"\nlocation = \"nbg1\"\n[roles.web]\nserver_type = \"cx22\"\nsnapshot = { labels = \"role=web\" }\n"
        let settings = try Self.settings(text)
        #expect(settings.location == "nbg1", "inline keys win over the profile's")
        #expect(settings.prices["cpx31"] == 0.0211)
        #expect(settings.endpoint == HetznerSettings.defaultEndpoint)
    }

    /// Each mistake: the text replaced, and what the message must say.
    static let broken: [(String, String, String)] = [
        ("endpoint = \"http://127.0.0.1:8080/v1\"", "endpoint = \"http://api.example.org/v1\"", "scalectl.toml:7: provider.endpoint: \"http://api.example.org/v1\" would send the token unencrypted"),
        ("endpoint = \"http://127.0.0.1:8080/v1\"", "endpoint = \"api.hetzner.cloud\"", "provider.endpoint: \"api.hetzner.cloud\" is not an http(s) URL"),
        ("token_env = \"MY_HCLOUD_TOKEN\"", "token_env = \"hz-abc 123\"", "scalectl.toml:8: provider.token_env: \"hz-abc 123\" is not an environment variable name"),
        ("location = \"hel1\"", "location = \"hel1\"\ntoken_file = \"/run/secrets/hcloud\"", "provider.token_file: give token_env or token_file, not both"),
        ("network = 42", "network = \"net\"", "scalectl.toml:10: provider.network: must be a whole number"),
        ("firewalls = [7, 8]", "firewalls = [\"web\"]", "scalectl.toml:11: provider.firewalls: must be a list of whole numbers"),
        ("network = 42\n", "", "provider.use_private_ip: needs network = ID"),
        ("lb_targets = \"servers\"", "lb_targets = \"all\"", "scalectl.toml:13: provider.lb_targets: \"all\" is not one of"),
        ("per_page = 5", "per_page = 51", "scalectl.toml:14: provider.per_page: must be between 1 and 50, not 51"),
        ("action_timeout = \"5m\"", "action_timeout = \"0s\"", "scalectl.toml:16: provider.action_timeout: must be longer than zero"),
        ("shutdown_timeout = \"30s\"", "shutdown_timeout = \"a while\"", "scalectl.toml:17: provider.shutdown_timeout: \"a while\" is not a duration"),
        ("cpx31 = 0.0211", "cpx31 = \"cheap\"", "scalectl.toml:21: provider.prices.cpx31: must be a number"),
        ("cpx31 = 0.0211", "cpx31 = -1.5", "scalectl.toml:21: provider.prices.cpx31: must be a price of 0 or more, in EUR per hour"),
        ("location = \"hel1\"", "region = \"hel1\"", "scalectl.toml:9: provider.region: unknown key"),
        ("location = \"hel1\"", "locations = [\"hel1\", \"ash\"]",
         "scalectl.toml:9: provider.locations: the locations are in different network zones (hel1 in eu-central; ash in us-east)"),
        ("location = \"hel1\"", "locations = [\"hel1\", \"fsn2\"]", "scalectl.toml:9: provider.locations: \"fsn2\" is not a Hetzner location; known: ash, fsn1"),
        ("location = \"hel1\"", "location = \"hel2\"", "scalectl.toml:9: provider.location: \"hel2\" is not a Hetzner location"),
        ("location = \"hel1\"", "location = \"hel1\"\nlocations = [\"hel1\", \"nbg1\"]", "provider.locations: give location or locations, not both"),
        ("location = \"hel1\"", "locations = []", "provider.locations: must list at least one, preferred first"),
    ]

    @Test func locationsAreThePlacesTriedInOrder() throws {
        let text = Self.config.replacingOccurrences(of: "location = \"hel1\"", with: "locations = [\"nbg1\", \"hel1\", \"fsn1\"]")
        let configuration = try ConfigLoader.parse(text, file: "/etc/scalectl/scalectl.toml")
        let settings = try Self.settings(text)
        #expect(settings.locations == ["nbg1", "hel1", "fsn1"] && settings.location == nil)
        #expect(configuration.fleet.placements == ["nbg1", "hel1", "fsn1"])
    }

    /// The real executable refuses locations of two network zones before touching anything (exit 2).
    @Test func locationsInTwoNetworkZonesExit2() async throws {
        let directory = try TemporaryDirectory("scalectl-hetzner-zones")
        defer { directory.remove() }
        let config = try directory.write("scalectl.toml", Self.config.replacingOccurrences(of: "location = \"hel1\"", with: "locations = [\"hel1\", \"ash\"]"))
        let result = try await CLI.run(["plan", "--config", config], environment: ["MY_HCLOUD_TOKEN": FakeHetzner.token])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("hel1 in eu-central; ash in us-east"), "\(result.stderr)")
    }

    @Test(arguments: broken)
    func mistakesNameTheKey(_ mistake: (String, String, String)) throws {
        #expect(Self.config.contains(mistake.0))
        let text = Self.config.replacingOccurrences(of: mistake.0, with: mistake.1)
        do {
            _ = try ConfigLoader.parse(text, file: "/etc/scalectl/scalectl.toml")
            Issue.record("accepted: \(mistake.1)")
        } catch let error as ConfigError {
            #expect("\(error)".contains(mistake.2), "\(error)")
        }
    }
}

/// The provider factory: the token read at the edge, the provider wired with its load balancers and
/// request budget.
struct HetznerWiringTests {
    static func context(_ providerKeys: String, environment: [String: String], in given: TemporaryDirectory? = nil) throws -> (AppContext, TemporaryDirectory) {
        let directory = try given ?? TemporaryDirectory("scalectl-hetzner-wiring")
        let config = try directory.write("scalectl.toml", """
            [controller]
            fleet = "m"
            timezone = "UTC"
            [provider]
            kind = "hetzner"
            \(providerKeys)
            [roles.web]
            server_type = "cx22"
            snapshot = { labels = "role=web" }
            """)
        return (try AppContext(GlobalOptions(config: config), logger: TestTools.quietLogger, environment: environment), directory)
    }

    @Test func theBundleReportsBalancersAndTheRequestBudget() throws {
        let (context, directory) = try Self.context("", environment: ["HCLOUD_TOKEN": FakeHetzner.token])
        defer { directory.remove() }
        let bundle = try context.providerBundle()
        #expect(bundle.provider.name == "hetzner")
        #expect(bundle.balancers != nil && bundle.rateLimit != nil)
    }

    @Test func theTokenComesFromAFileBesideTheConfiguration() throws {
        let (context, directory) = try Self.context("token_file = \"secrets/hcloud\"", environment: [:])
        defer { directory.remove() }
        #expect(throws: ConfigError.self) { try context.providerBundle() }
        try FileManager.default.createDirectory(atPath: directory.file("secrets"), withIntermediateDirectories: true)
        try directory.write("secrets/hcloud", FakeHetzner.token + "\n")
        let (again, _) = try Self.context("token_file = \"secrets/hcloud\"", environment: [:], in: directory)
        #expect(try again.providerBundle().provider.name == "hetzner")
    }

    @Test func aMissingTokenNamesTheKeyAndTheVariable() throws {
        let (context, directory) = try Self.context("token_env = \"PROD_HCLOUD_TOKEN\"", environment: ["HCLOUD_TOKEN": "x"])
        defer { directory.remove() }
        let error = #expect(throws: ConfigError.self) { try context.providerBundle() }
        #expect(error?.key == "provider.token_env" && error?.problem.contains("PROD_HCLOUD_TOKEN") == true, "\(String(describing: error))")
    }
}
