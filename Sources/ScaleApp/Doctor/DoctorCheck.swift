import Foundation
import ScaleCore

/// One line of doctor's checklist: what was checked, how it went, the numbers, and what to do.
public struct DoctorCheck: Sendable, Hashable, Encodable {
    public enum Status: String, Sendable, Hashable, Encodable {
        case ok, warning, failed
        /// Not checked: the provider cannot tell, or an earlier check failed.
        case skipped
    }

    /// Stable id for scripts: `credentials`, `snapshot.frontal`, `load-balancer.t-lb`, `server-type.cpx31`.
    public var id: String
    /// For people: `snapshot frontal`.
    public var title: String
    public var status: Status
    public var detail: String
    /// What to do, for warnings and failures.
    public var fix: String?
    /// The role it concerns, if one.
    public var role: String?
    /// The provider's answer, when a call failed.
    public var providerError: ProviderError?

    public init(
        id: String, title: String, status: Status, detail: String, fix: String? = nil, role: String? = nil,
        providerError: ProviderError? = nil
    ) {
        self.id = id
        self.title = title
        self.status = status
        self.detail = detail
        self.fix = fix
        self.role = role
        self.providerError = providerError
    }

    enum CodingKeys: String, CodingKey { case id, title, status, detail, fix, role }

    /// A check that failed because a provider call did: what the provider's answer means, else `fix`.
    static func failed(
        _ id: String, _ title: String, role: String? = nil, _ error: any Error,
        fix: String = "see what the provider answered, put it right, and run doctor again"
    ) -> DoctorCheck {
        let provider = error as? ProviderError
        return DoctorCheck(
            id: id, title: title, status: .failed, detail: "\(error)", fix: provider?.hint ?? fix, role: role, providerError: provider)
    }
}

/// Everything one doctor run found.
public struct DoctorReport: Sendable {
    public var now: Date
    /// The window the checks look ahead to: the one covering now, else the next.
    public var window: Window?
    public var checks: [DoctorCheck]
    /// The test alert's deliveries, with `--send-test`.
    public var tests: [Delivery] = []
    /// The deliveries of the alerts about failed checks.
    public var alerted: [Delivery] = []

    public var failed: [DoctorCheck] { checks.filter { $0.status == .failed } }
    public var warnings: [DoctorCheck] { checks.filter { $0.status == .warning } }
    /// `failed` when a check failed; warnings alone are `ok`.
    public var status: ExitStatus { failed.isEmpty ? .ok : .failed }
}
