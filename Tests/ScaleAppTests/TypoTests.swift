import Foundation
@testable import ScaleApp
import Testing

/// A misspelled key is named as a typo, on its own line, with the key it probably meant, before the
/// key it hides is reported missing.
struct TypoTests {
    static let good = ConfigLoaderTests.good

    static func message(_ text: String) -> String {
        do {
            _ = try ConfigLoader.parse(text, file: "scalectl.toml")
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        // The required key misspelled: the typo's line (14), not the table's (12).
        ("server_type = \"cpx31\"", "sever_type = \"cpx31\"", "scalectl.toml:14: roles.frontal.sever_type: unknown key: did you mean roles.frontal.server_type?"),
        ("fleet = \"mihiluze\"", "flet = \"mihiluze\"", "scalectl.toml:2: controller.flet: unknown key: did you mean controller.fleet?"),
        ("timezone = \"Europe/Madrid\"", "timzone = \"Europe/Madrid\"", "scalectl.toml:3: controller.timzone: unknown key: did you mean controller.timezone?"),
        ("kind = \"sim\"", "knd = \"sim\"", "scalectl.toml:9: provider.knd: unknown key: did you mean provider.kind?"),
        // Optional keys misspelled.
        ("lead = \"45m\"", "leed = \"45m\"", "scalectl.toml:4: controller.leed: unknown key: did you mean controller.lead?"),
        ("boot_time = \"2s\"", "boot_tmie = \"2s\"", "scalectl.toml:10: provider.boot_tmie: unknown key: did you mean provider.boot_time?"),
        ("load_balancer = \"mihiluze-lb\"", "loadbalancer = \"mihiluze-lb\"", "scalectl.toml:16: roles.frontal.loadbalancer: unknown key: did you mean roles.frontal.load_balancer?"),
        // Tables misspelled or misplaced, named before the tables they hide are missed.
        ("[controller]", "[controler]", "scalectl.toml:1: controler: unknown key: did you mean controller?"),
        ("[roles.frontal]", "[role.frontal]", "scalectl.toml:12: role: unknown key: did you mean roles?"),
        ("[controller]", "[prices]\ncpx31 = 0.02\n\n[controller]", "scalectl.toml:1: prices: unknown key: prices belong to the provider: did you mean [provider.prices]?"),
        // Nothing near: the known keys are listed.
        ("lead = \"45m\"", "colour = \"blue\"", "scalectl.toml:4: controller.colour: unknown key (known here: "),
    ])
    func typosAreNamed(_ replaced: String, _ with: String, _ says: String) {
        let text = Self.good.replacingOccurrences(of: replaced, with: with)
        #expect(text != Self.good)
        let message = Self.message(text)
        #expect(message.contains(says), "\(message)")
    }

    /// `[prices]` at the top level is refused even though everything else in the file is fine: without
    /// the refusal, cost reports would silently use no prices.
    @Test func topLevelPricesAreNotIgnored() {
        let text = Self.good + "\n[prices]\ncpx31 = 0.02\n"
        #expect(Self.message(text).contains("prices: unknown key: prices belong to the provider: did you mean [provider.prices]?"))
    }

    @Test(arguments: [
        ("server_type", "sever_type", 1), ("lead", "leed", 1), ("timezone", "timzeone", 1), ("controller", "controler", 1),
        ("kind", "knid", 1), ("labels", "label", 1), ("count", "count", 0), ("lead", "margin", 6),
    ])
    func editDistance(_ a: String, _ b: String, _ edits: Int) {
        #expect(KeySuggestion.distance(a, b) == edits)
    }

    @Test func suggestsOnlyWhatIsClose() {
        #expect(KeySuggestion.nearest(to: "sever_type", among: ["server_type", "snapshot", "count"]) == "server_type")
        #expect(KeySuggestion.nearest(to: "colour", among: ["lead", "margin", "drain"]) == nil)
        #expect(KeySuggestion.nearest(to: "to", among: ["tz"]) == nil, "a two-letter key is not guessed from one letter in two")
    }
}
