import Foundation
import ScaleApp
import Testing

/// The crash switch is a test tool that kills with SIGKILL: a stray `SCALECTL_CRASH_AT` alone must do
/// nothing but say it is ignored; only with the arming variable does it return a hook, and says so.
struct CrashPointTests {
    func gate(_ environment: [String: String]) -> (hook: Bool, notices: [String]) {
        var notices: [String] = []
        let hook = CrashPoint.fromEnvironment(environment) { notices.append($0) }
        return (hook != nil, notices)
    }

    @Test func unsetIsSilentAndInert() {
        let result = gate(["PATH": "/usr/bin", CrashPoint.armingVariable: CrashPoint.armedValue])
        #expect(!result.hook)
        #expect(result.notices.isEmpty)
    }

    @Test(arguments: [nil, "", "1", "true", "YES"])
    func aStrayCrashVariableIsIgnoredAndSaysSo(arming: String?) {
        var environment = [CrashPoint.variable: "create:2"]
        environment[CrashPoint.armingVariable] = arming
        let result = gate(environment)
        #expect(!result.hook, "not armed by \(String(describing: arming))")
        #expect(result.notices.count == 1)
        #expect(result.notices.first?.contains("SCALECTL_CRASH_AT=create:2 is set but ignored") == true, "\(result.notices)")
        #expect(result.notices.first?.contains("SCALECTL_CRASH_ARMED=yes") == true)
    }

    @Test func armedReturnsTheHookAndWarnsLoudly() {
        let result = gate([CrashPoint.variable: "attach:3", CrashPoint.armingVariable: "yes"])
        #expect(result.hook)
        #expect(result.notices.count == 1)
        let notice = result.notices.first ?? ""
        #expect(notice.hasPrefix("WARNING: crash switch ARMED"), "\(notice)")
        #expect(notice.contains("step attach number 3"))
    }
}
