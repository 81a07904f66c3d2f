import Foundation

/// One step as the journal records it.
public struct StepEntry: Sendable, Hashable {
    public var runID: Int64
    public var role: String?
    /// `create`, `await-running`, ... (``Step/kind``), or `verify` and `observe`.
    public var kind: String
    /// The node name or balancer a mutation targets; nil for a role-level step.
    public var target: String?
    public var detail: String

    public init(runID: Int64, role: String?, kind: String, target: String? = nil, detail: String) {
        self.runID = runID
        self.role = role
        self.kind = kind
        self.target = target
        self.detail = detail
    }
}

public enum StepOutcome: String, Sendable, Codable {
    case running, ok, failed, interrupted
}

/// What the controller knows of each node it created: the facts cost and "nothing lost" rest on.
public enum LedgerEntry: Sendable, Hashable {
    /// Written before the create call.
    case intent(name: String, role: String, event: String?, serverType: String, runID: Int64, at: Date)
    case created(name: String, id: String, at: Date)
    /// The create call failed and no node by that name exists.
    case failed(name: String, at: Date)
    /// The node no longer exists at the provider.
    case gone(name: String, at: Date)
    /// A node found at the provider with our label but missing from the ledger.
    case adopted(node: Node, at: Date)
}

/// Where runs are written down, step by step. The intent of each mutation is written before the call.
public protocol Journal: Sendable {
    func begin(_ step: StepEntry, at instant: Date) async throws -> Int64
    func end(_ step: Int64, outcome: StepOutcome, error: String?, at instant: Date) async throws
    func record(_ entry: LedgerEntry) async throws
}

/// Live progress for people: "frontal: 3/5 running".
public enum ProgressUpdate: Sendable, Hashable {
    case began(role: String, step: String, text: String)
    case counted(role: String, what: String, done: Int, total: Int)
    case finished(role: String, step: String, duration: Duration)
    case warning(role: String, text: String)
}

public protocol ProgressSink: Sendable {
    func report(_ update: ProgressUpdate)
}
