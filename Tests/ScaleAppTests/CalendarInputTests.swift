import Foundation
@testable import ScaleApp
import ScaleCore
import Testing

struct CalendarInputTests {
    let fleet = try! ConfigLoader.parse(ConfigLoaderTests.good, file: "x.toml").fleet

    @Test func readsCSVWithQuotesAndLineNumbers() throws {
        let text = "name,start,end\n\"Gala, final\",2026-11-23 21:00,2026-11-23 23:00\n\n\"Quoted \"\"show\"\"\",\"2026-11-24 21:00\",2026-11-24 23:00\r\n"
        let records = try CSVReader.records(text)
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records[1].fields[0] == "Gala, final")
        #expect(records[2].fields[0] == "Quoted \"show\"")
    }

    @Test(arguments: [
        ("name,start,end\n\"open,2026,2026\n", "x.csv:2: not valid CSV: a quoted field is never closed"),
        ("name,begin,end\na,b,c\n", "x.csv:1: unknown column \"begin\""),
        ("name,start\na,b\n", "x.csv:1: the header has no \"end\" column"),
        ("name,start,end\na,b\n", "x.csv:2: the row has 2 fields, the header 3"),
        ("", "x.csv: the file is empty"),
    ])
    func refusesBrokenFiles(text: String, message: String) {
        #expect {
            try CalendarFile.csv(text, file: "x.csv")
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("nothing was imported")
        }
    }

    @Test(arguments: [
        (EventInput(name: "Gala", start: "2026-11-23 23:00", end: "2026-11-23 21:00", counts: []), "is not after the start"),
        (EventInput(name: "Gala", start: "2026-11-23 21:00", end: "2026-11-23 23:00", timeZone: "Madrid", counts: []), "\"Madrid\" is not an IANA time zone"),
        (EventInput(name: "Gala", start: "2026-11-23 21:00", end: "2026-11-23 23:00", counts: ["web=3"]), "names the role \"web\", which is not configured"),
        (EventInput(name: "Gala", start: "2026-11-23 21:00", end: "2026-11-23 23:00", counts: ["frontal=many"]), "is not ROLE=N"),
        (EventInput(name: " ", start: "2026-11-23 21:00", end: "2026-11-23 23:00", counts: []), "has no name"),
        (EventInput(name: "Gala", start: "2026-03-29 02:30", end: "2026-03-29 04:00", counts: []), "start: \"2026-03-29 02:30\" does not exist"),
        (EventInput(name: "Gala", start: "Monday 9pm", end: "2026-03-29 04:00", counts: []), "start: \"Monday 9pm\" is not a time"),
    ])
    func refusesBadEvents(input: EventInput, message: String) {
        guard case .failure(let error) = input.validated(fleet: fleet) else {
            Issue.record("accepted \(input)")
            return
        }
        #expect(error.description.contains(message), "\(error)")
    }

    @Test func readsLocalTimesInTheirZone() throws {
        let input = EventInput(name: "Gala", start: "2026-11-23 15:00", end: "2026-11-23 17:00", timeZone: "America/New_York", counts: ["frontal=6", "celery=0"])
        let event = try input.validated(fleet: fleet).get()
        #expect(TimeText.iso(event.start) == "2026-11-23T20:00:00Z")
        #expect(event.timeZone == "America/New_York")
        #expect(event.counts == ["frontal": 6, "celery": 0])
    }
}
