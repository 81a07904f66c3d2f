import Foundation
import ScaleTesting
import Testing

/// Issue 17, point 7: every command an alert suggests works as printed; each is run here.
@Suite(.serialized, .awaitsCleanup)
struct HintTests {
    /// The commands under "What you can run:", split as a shell would (double quotes kept together).
    static func suggested(_ text: String) -> [[String]] {
        guard let start = text.range(of: "What you can run:") else { return [] }
        var commands: [[String]] = []
        for line in text[start.upperBound...].split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("scalectl ") else { break }
            var words: [String] = []
            var current = ""
            var quoted = false
            for character in trimmed {
                if character == "\"" { quoted.toggle() } else if character == " " && !quoted {
                    if !current.isEmpty { words.append(current) }
                    current = ""
                } else { current.append(character) }
            }
            if !current.isEmpty { words.append(current) }
            commands.append(Array(words.dropFirst()))
        }
        return commands
    }

    func runEach(_ commands: [[String]], in fleet: FaultFleet) async throws {
        #expect(!commands.isEmpty)
        for command in commands {
            let result = try await CLI.run(command + ["--config", fleet.config], environment: FaultFleet.environment)
            #expect(result.status != 2 && result.status != 64, "`scalectl \(command.joined(separator: " "))` works as printed: \(result)")
            if command.first == "override" { #expect(result.status == 0, "\(result)") }
        }
    }

    @Test func aRoleFailureSuggestsCommandsThatWork() async throws {
        let fleet = try await FaultFleet.start(frontal: 1, celery: 2, faults: [
            "rules": [FakeHetzner.rule("POST", "/v1/servers", status: 412, code: "resource_unavailable", name: "t-celery-1-2")],
        ])
        atEnd { await fleet.stop() }
        let up = try await fleet.up()
        #expect(up.status == 1, "\(up)")
        let commands = Self.suggested(up.stdout + up.stderr)
        #expect(commands.contains { $0.starts(with: ["override", "set", "celery", "1"]) }, "\(commands)")
        try await runEach(commands, in: fleet)
    }

    @Test func fleetWideAndTeardownFailuresSuggestCommandsThatWork() async throws {
        let fleet = try await FaultFleet.start(frontal: 1, celery: 1)
        atEnd { await fleet.stop() }
        #expect(try await fleet.up().status == 0)
        try await fleet.fake.faults(["rules": [FakeHetzner.rule("DELETE", "/v1/servers/[0-9]+", status: 403, code: "forbidden")]])
        let down = try await fleet.down()
        #expect(down.status == 1, "\(down)")
        let teardown = Self.suggested(down.stdout + down.stderr)
        #expect(teardown.contains(["down"]) && !teardown.contains(["up"]), "\(teardown)")
        #expect(!teardown.contains { $0.first == "override" }, "\(teardown)")
        try await runEach(teardown, in: fleet)

        try await fleet.fake.faults(["rules": [FakeHetzner.rule("GET", "/v1/servers", status: 401, code: "unauthorized")]])
        let observe = try await fleet.up()
        #expect(observe.status == 1, "\(observe)")
        let fleetWide = Self.suggested(observe.stdout + observe.stderr)
        #expect(!fleetWide.contains { $0.starts(with: ["override", "set", "fleet"]) }, "\(fleetWide)")
        try await runEach(fleetWide, in: fleet)
    }
}
