import Foundation
import ScaleApp
import ScaleCore
import ScaleTesting
import Testing

struct ConfigLoaderTests {
    static let good = """
        [controller]
        fleet = "mihiluze"
        timezone = "Europe/Madrid"
        lead = "45m"
        margin = "30m"
        drain = "60s"

        [provider]
        kind = "sim"
        boot_time = "2s"

        [roles.frontal]
        count = 5
        server_type = "cpx31"
        snapshot = { labels = "role=frontal", max_age = "30h" }
        load_balancer = "mihiluze-lb"
        ready = { http = "http://{private_ip}:8080/health", within = "5m" }

        [roles.celery]
        count = 4
        server_type = "cpx41"
        snapshot = { labels = "role=celery", max_age = "30h" }
        ready = { command = "celery -A mihiluze inspect ping -d celery@{name} -t 5", within = "5m" }
        """

    @Test func readsTheDesignExample() throws {
        let configuration = try ConfigLoader.parse(Self.good, file: "/etc/scalectl/scalectl.toml")
        #expect(configuration.fleet.fleet == "mihiluze")
        #expect(configuration.fleet.lead == .seconds(2700))
        #expect(configuration.fleet.roles.map(\.name) == ["frontal", "celery"], "roles keep the file's order")
        #expect(configuration.fleet.role("frontal")?.ready?.kind == .http)
        #expect(configuration.fleet.role("celery")?.ready?.template.contains("celery@{name}") == true)
        #expect(configuration.database == "/etc/scalectl/scalectl.sqlite")
        guard case .sim(let sim) = configuration.provider else { Issue.record("not sim"); return }
        #expect(sim.bootTime == .seconds(2))
    }

    /// Each broken configuration: the text replaced, and what the message must say (file:line: key: problem).
    static let broken: [(String, String, String)] = [
        ("fleet = \"mihiluze\"", "fleet = \"Mihi Luze\"", "scalectl.toml:2: controller.fleet: \"Mihi Luze\" is not usable in node names"),
        ("lead = \"45m\"", "lead = \"45\"", "scalectl.toml:4: controller.lead: \"45\" is not a duration"),
        ("lead = \"45m\"", "lead = 45", "scalectl.toml:4: controller.lead: must be a string, not the number 45"),
        ("lead = \"45m\"", "leed = \"45m\"", "scalectl.toml:4: controller.leed: unknown key"),
        ("timezone = \"Europe/Madrid\"", "timezone = \"Europe/Madird\"", "scalectl.toml:3: controller.timezone: \"Europe/Madird\" is not an IANA time zone"),
        ("kind = \"sim\"", "kind = \"gcp\"", "scalectl.toml:9: provider.kind: \"gcp\" is not a provider this build knows"),
        ("kind = \"sim\"\n", "", "provider.kind: is required"),
        ("boot_time = \"2s\"", "boot_time = \"soon\"", "scalectl.toml:10: provider.boot_time: \"soon\" is not a duration"),
        ("count = 5", "count = \"five\"", "scalectl.toml:13: roles.frontal.count: must be a whole number, not the string \"five\""),
        ("count = 5", "count = -1", "scalectl.toml:13: roles.frontal.count: must be between 0 and 1000, not -1"),
        ("server_type = \"cpx31\"\n", "", "roles.frontal.server_type: is required"),
        ("server_type = \"cpx31\"", "server_type = \"cpx31\"\nserver_types = [\"cpx41\"]", "roles.frontal.server_types: give server_type or server_types, not both"),
        ("server_type = \"cpx31\"", "server_types = []", "roles.frontal.server_types: must list at least one, preferred first"),
        ("server_type = \"cpx31\"", "server_types = [\"cpx31\", \"cpx31\"]", "roles.frontal.server_types: lists \"cpx31\" twice"),
        ("count = 5", "count = 5\nmax_nodes = 6\nmin = 7", "roles.frontal.min: 7 is more than max_nodes 6 for frontal"),
        ("count = 5", "count = 5\npriority = \"high\"", "roles.frontal.priority: must be a whole number"),
        ("boot_time = \"2s\"", "boot_time = \"2s\"\nlocations = [\"fsn1\", \"fsn1\"]", "provider.locations: lists \"fsn1\" twice"),
        ("boot_time = \"2s\"", "boot_time = \"2s\"\nlocation = \"fsn1\"\nlocations = [\"nbg1\"]", "provider.locations: give location or locations, not both"),
        (
            "kind = \"sim\"\nboot_time = \"2s\"\n\n[roles.frontal]\ncount = 5",
            "kind = \"sim\"\nboot_time = \"2s\"\nserver_limit = 3\n\n[roles.frontal]\ncount = 5\nmin = 4",
            "roles.frontal: min 4 of frontal is more than the server limit 3"
        ),
        ("max_age = \"30h\" }\nload", "max_age = \"30 hours\" }\nload", "scalectl.toml:15: roles.frontal.snapshot.max_age: \"30 hours\" is not a duration"),
        ("{ labels = \"role=frontal\", max_age = \"30h\" }", "{ label = \"role=frontal\" }", "scalectl.toml:15: roles.frontal.snapshot.label: unknown key: did you mean roles.frontal.snapshot.labels?"),
        ("ready = { http = \"http://{private_ip}:8080/health\", within = \"5m\" }", "ready = { http = \"http://x/\", tcp = \"x:1\" }", "scalectl.toml:17: roles.frontal.ready: give exactly one of http, tcp or command"),
        ("{private_ip}:8080/health", "{ip}:8080/health", "scalectl.toml:17: roles.frontal.ready.http: the placeholder {ip} is not known here"),
        ("within = \"5m\" }\n\n[roles.celery]", "within = \"5m\", retries = 3 }\n\n[roles.celery]", "scalectl.toml:17: roles.frontal.ready.retries: unknown key"),
        ("[roles.celery]", "[roles.Celery_Workers]", "scalectl.toml:19: roles.Celery_Workers: the role name \"Celery_Workers\" is not usable"),
        ("[roles.celery]", "[roles.celery-workers-for-the-big-final]", "use 1-24 lowercase letters"),
        ("load_balancer = \"mihiluze-lb\"", "load_balancer = [\"a\", \"b\"]", "scalectl.toml:16: roles.frontal.load_balancer: must be a string, not a list"),
        ("[provider]", "[provider]\nprofile = \"providers/none.toml\"", "provider.profile: cannot read the provider profile"),
        ("[controller]", "[controler]\nfleet = \"x\"\n[controller]", "scalectl.toml:1: controler: unknown key"),
        ("lead = \"45m\"", "lead = \"45m", "scalectl.toml:4: not valid TOML"),
        // toml++ aborted on these (found by make fuzz) instead of reporting them.
        ("[roles.celery]", "[roles.cèlery]", "scalectl.toml:19: not valid TOML: the character \"è\" may appear only inside a quoted string"),
        ("count = 5", "cöunt = 5", "scalectl.toml:13: not valid TOML: the character \"ö\""),
        ("[roles.celery]", "[\u{02}roles.celery]", "scalectl.toml:19: not valid TOML: a table header needs a name"),
        ("[roles.celery]", "[# roles.celery]", "scalectl.toml:19: not valid TOML: a table header needs a name right after \"[\""),
        ("[roles.celery]", "[[\n", "scalectl.toml:19: not valid TOML: a table header needs a name"),
        ("count = 5", "count = 5\u{7F}", "scalectl.toml:13: not valid TOML: a control character (code 127) outside a string"),
        ("lead = \"45m\"", "lead = \"45m\" # ok: comments and \"strings\" may hold é\nleäd = 1", "scalectl.toml:5: not valid TOML: the character \"ä\""),
    ]

    @Test(arguments: broken)
    func refusesNamingKeyAndLine(replace: String, with: String, message: String) throws {
        #expect(Self.good.contains(replace), "the fixture still has \(replace)")
        let text = Self.good.replacingOccurrences(of: replace, with: with)
        #expect {
            try ConfigLoader.parse(text, file: "scalectl.toml")
        } throws: { error in
            let description = "\(error)"
            return error is ConfigError && description.contains(message)
        }
    }

    /// Fallbacks: the types and places a node may be created in, tried type by type, each in every place.
    @Test func readsServerTypeChoicesPlacesPriorityAndMin() throws {
        let text = Self.good
            .replacingOccurrences(of: "boot_time = \"2s\"", with: "boot_time = \"2s\"\nlocations = [\"fsn1\", \"nbg1\"]\nserver_limit = 12")
            .replacingOccurrences(of: "server_type = \"cpx31\"", with: "server_types = [\"cpx31\", \"ccx23\"]\npriority = 10\nmin = 3")
        let fleet = try ConfigLoader.parse(text, file: "scalectl.toml").fleet
        let frontal = try #require(fleet.role("frontal"))
        #expect(frontal.serverType == "cpx31" && frontal.priority == 10 && frontal.min == 3)
        #expect(fleet.choices(for: frontal).map(\.description) == ["cpx31 in fsn1", "cpx31 in nbg1", "ccx23 in fsn1", "ccx23 in nbg1"])
        let celery = try #require(fleet.role("celery"))
        #expect(celery.priority == 0 && celery.min == nil && celery.minimum(of: 4) == 4, "by default every wanted node is needed")
        #expect(fleet.serverLimit == 12)
    }

    @Test func readsAProfileUnderTheInlineKeys() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("providers"), withIntermediateDirectories: true)
        try directory.write("providers/sim.toml", "kind = \"sim\"\nboot_time = \"9s\"\nhealth_delay = \"3s\"\n")
        let text = Self.good.replacingOccurrences(of: "kind = \"sim\"\nboot_time = \"2s\"", with: "profile = \"providers/sim.toml\"\nboot_time = \"2s\"")
        let configuration = try ConfigLoader.parse(text, file: directory.file("scalectl.toml"))
        guard case .sim(let sim) = configuration.provider else { Issue.record("not sim"); return }
        #expect(sim.bootTime == .seconds(2), "the inline key wins")
        #expect(sim.healthDelay == .seconds(3), "the profile fills the rest")

        try directory.write("providers/sim.toml", "kind = \"sim\"\nboot_tim = \"9s\"\n")
        #expect {
            try ConfigLoader.parse(text, file: directory.file("scalectl.toml"))
        } throws: { error in
            "\(error)".contains("providers/sim.toml:2: provider.boot_tim: unknown key")
        }
    }

    /// A profile may be written exactly as the `[provider]` table it fills in, `[provider.prices]` included.
    @Test func readsAProfileWrittenAsTheProviderTable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("providers"), withIntermediateDirectories: true)
        try directory.write("providers/sim.toml", "# a profile\n[provider]\nkind = \"sim\"\nhealth_delay = \"3s\"\n\n[provider.prices]\ncpx31 = 0.5\n")
        let text = Self.good.replacingOccurrences(of: "kind = \"sim\"\nboot_time = \"2s\"", with: "profile = \"providers/sim.toml\"\nboot_time = \"2s\"")
        let configuration = try ConfigLoader.parse(text, file: directory.file("scalectl.toml"))
        guard case .sim(let sim) = configuration.provider else { Issue.record("not sim"); return }
        #expect(sim.bootTime == .seconds(2) && sim.healthDelay == .seconds(3))
        #expect(sim.prices["cpx31"] == 0.5)

        try directory.write("providers/sim.toml", "[provider]\nkind = \"sim\"\n[provider.prices]\ncpx31 = \"x\"\n")
        #expect {
            try ConfigLoader.parse(text, file: directory.file("scalectl.toml"))
        } throws: { error in
            "\(error)".contains("providers/sim.toml:4: provider.prices.cpx31: must be a number")
        }
        try directory.write("providers/sim.toml", "[provider]\nkind = \"sim\"\n[controller]\nfleet = \"x\"\n")
        #expect {
            try ConfigLoader.parse(text, file: directory.file("scalectl.toml"))
        } throws: { error in
            "\(error)".contains("providers/sim.toml:3: controller: a provider profile holds only [provider]")
        }
    }

    /// Without a zone, a Madrid show's local times would be taken as UTC and the fleet come an hour late.
    @Test func theTimeZoneIsRequired() throws {
        let text = Self.good.replacingOccurrences(of: "timezone = \"Europe/Madrid\"\n", with: "")
        #expect {
            try ConfigLoader.parse(text, file: "scalectl.toml")
        } throws: { error in
            "\(error)".contains("scalectl.toml:1: controller.timezone: is required") && "\(error)".contains("Europe/Madrid")
        }
        let utc = Self.good.replacingOccurrences(of: "Europe/Madrid", with: "UTC")
        #expect(try ConfigLoader.parse(utc, file: "scalectl.toml").fleet.timeZone.secondsFromGMT() == 0)
    }

    @Test func historyKeepDefaultsTo90Days() throws {
        #expect(try ConfigLoader.parse(Self.good, file: "scalectl.toml").historyKeep == .seconds(90 * 86_400))
        let year = Self.good.replacingOccurrences(of: "[controller]\n", with: "[controller]\nhistory_keep = \"365d\"\n")
        #expect(try ConfigLoader.parse(year, file: "scalectl.toml").historyKeep == .seconds(365 * 86_400))
        let hour = Self.good.replacingOccurrences(of: "[controller]\n", with: "[controller]\nhistory_keep = \"1h\"\n")
        #expect {
            try ConfigLoader.parse(hour, file: "scalectl.toml")
        } throws: { error in
            "\(error)".contains("scalectl.toml:2: controller.history_keep: 1h is too short")
        }
    }

    @Test func relativeDatabasePathsFollowTheConfigFile() throws {
        let text = Self.good.replacingOccurrences(of: "[controller]", with: "[controller]\ndatabase = \"../state/db.sqlite\"")
        #expect(try ConfigLoader.parse(text, file: "/srv/scalectl/etc/scalectl.toml").database == "/srv/scalectl/state/db.sqlite")
    }
}
