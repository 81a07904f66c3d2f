import Foundation
@testable import ScaleApp
import ScaleCore
import ScaleStore
import Testing

struct LeadAdviceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func step(_ role: String, _ kind: String, from: Double, to: Double, target: String? = nil) -> StepInfo {
        StepInfo(id: 0, role: role, kind: kind, target: target, detail: "", startedAt: t0 + .seconds(from), endedAt: t0 + .seconds(to), outcome: .ok, error: nil)
    }

    func run(_ command: String, _ outcome: RunOutcome) -> RunInfo {
        RunInfo(id: 1, command: command, at: t0, startedAt: t0, endedAt: t0, outcome: outcome, pid: 1, host: "h", summary: nil, error: nil)
    }

    @Test func learnsFromScaleUpsOnly() {
        let fullUp = [
            step("frontal", "resolve-snapshot", from: 0, to: 1), step("frontal", "create", from: 1, to: 2),
            step("frontal", "create", from: 1, to: 2, target: "m-frontal-1-1"), step("frontal", "await-running", from: 2, to: 300),
            step("frontal", "await-healthy", from: 300, to: 360), step("frontal", "probe", from: 360, to: 400),
            step("frontal", "delete", from: 400, to: 900),  // removing extras after ready does not count
            step("celery", "create", from: 0, to: 1), step("celery", "await-running", from: 1, to: 200),
        ]
        let verifyOnly = [step("frontal", "await-running", from: 0, to: 1), step("frontal", "probe", from: 1, to: 2)]
        let estimate = LeadEstimate(
            history: [(run("up", .ok), fullUp), (run("reconcile", .ok), verifyOnly), (run("up", .failed), fullUp), (run("down", .ok), fullUp)],
            safety: .zero)
        #expect(estimate.samples == 1, "only the successful run that created nodes counts")
        #expect(estimate.perRole == ["frontal": .seconds(400), "celery": .seconds(200)])
    }

    @Test func takesTheNinetiethPercentileOfTheSlowestRolePlusSafety() {
        let runs = (1...10).map { ["frontal": Duration.seconds($0 * 60), "celery": Duration.seconds(30)] }
        let estimate = LeadEstimate(durations: runs, safety: .seconds(600))
        #expect(estimate.perRole["frontal"] == .seconds(540))
        #expect(estimate.needed == .seconds(1140))
        #expect(estimate.samples == 10)
        #expect(LeadEstimate(durations: [], safety: .seconds(600)).needed == nil)
    }

    @Test func warnsWhenTheLeadIsTooShort() {
        let estimate = LeadEstimate(durations: [["frontal": .seconds(3000)]], safety: .seconds(600))
        let show = Event(id: 2, name: "Mihiluze", start: t0, end: t0 + .seconds(7200), timeZone: "Europe/Madrid")
        let zone = TimeZone(identifier: "Europe/Madrid")!
        let short = LeadAdvice(estimate: estimate, auto: false, lead: .seconds(2700), next: show, zone: zone)
        #expect(short.warning?.contains("the lead 45m is shorter than the 1h a scale-up needs") == true, "\(short.warning ?? "")")
        #expect(short.mustStartBy == t0 - .seconds(3600))
        let enough = LeadAdvice(estimate: estimate, auto: false, lead: .seconds(3600), next: show, zone: zone)
        #expect(enough.warning == nil)
    }
}
