import Foundation
import ScaleCore
import Testing

struct DurationTextTests {
    @Test(arguments: [
        ("45m", 2700.0), ("2h30m", 9000), ("90s", 90), ("1d", 86_400), ("500ms", 0.5), ("1h1m1s", 3661), ("0s", 0),
        (" 5m ", 300),
    ])
    func parses(text: String, seconds: Double) {
        #expect(DurationText.parse(text)?.timeInterval == seconds)
    }

    @Test(arguments: ["", "45", "m", "5x", "30m2h", "5m5m", "-5m", "1.5h", "5 m", "h30", "99999999999s"])
    func refuses(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: [(9000.0, "2h30m"), (45, "45s"), (0, "0s"), (0.25, "250ms"), (90_061, "1d1h1m1s")])
    func formats(seconds: Double, text: String) {
        #expect(DurationText.format(Duration(timeInterval: seconds)) == text)
    }
}
