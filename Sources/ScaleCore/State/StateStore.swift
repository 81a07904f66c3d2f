import Foundation

/// Where a controller keeps what it knows: the calendar, overrides, the journal of runs and steps, the
/// node ledger, the run lock and the alert log.
///
/// The provider is the source of truth for what exists; the state store holds intent, history and the
/// calendar. SQLite (``ScaleStore/Store``) is the embedded default for one host; a shared store lets
/// several controllers on different hosts agree on one of them acting at a time.
///
/// Every method is async: an implementation may reach a database over the network. Values only cross
/// this boundary; no database type does.
public protocol StateStore: Journal, AlertLog, LeaseStore {
    /// The fleet whose runs, lock, ledger and overrides this store reads and writes.
    var fleet: String { get }

    // MARK: Calendar (shared by every fleet of the store)

    /// Adds an event.
    /// - Throws: ``StoreError`` when an event with the same name and start exists, or it ends before it starts.
    func addEvent(_ new: NewEvent) async throws -> Event
    /// Adds every event that is not there yet (same name and start) in one transaction: all or nothing.
    func importEvents(_ list: [NewEvent]) async throws -> (added: [Event], skipped: [NewEvent])
    /// Changes whenever an event or an override of this fleet is added, removed or cleared.
    func calendarFingerprint() async throws -> String
    /// Every event, earliest first.
    func events() async throws -> [Event]
    /// Events that end after `instant`, earliest first.
    func events(endingAfter instant: Date) async throws -> [Event]
    func event(id: Int64) async throws -> Event?
    /// Removes an event and returns it.
    /// - Throws: ``StoreError`` when there is no event with that id.
    func removeEvent(id: Int64) async throws -> Event

    // MARK: Overrides

    func addOverride(_ action: Override.Action, reason: String, author: String, at instant: Date, expiresAt: Date?) async throws -> Override
    /// Overrides not cleared; the planner decides which are active at a given instant.
    func overrides() async throws -> [Override]
    /// Clears one override, or all when `id` is nil; returns how many were cleared.
    @discardableResult
    func clearOverrides(id: Int64?, at instant: Date) async throws -> Int

    // MARK: Runs and the lock

    /// Takes the fleet's lock and opens a run, in one transaction. A lock whose holder is gone is taken over.
    /// - Throws: ``LockHeld`` when a live run holds the lock.
    func startRun(command: String, at pretended: Date) async throws -> RunStart
    /// Proves the lock's holder is alive, for holders on other hosts.
    func refreshLock(runID: Int64) async throws
    /// The current holder, if any.
    func lockHolder() async throws -> LockHolder?
    /// Closes a run and releases the fleet's lock.
    func finishRun(_ runID: Int64, outcome: RunOutcome, summary: String?, error: String?) async throws
    /// Writes one step that is over already (observations, plans), outside the executor.
    func note(runID: Int64, kind: String, detail: String, at instant: Date) async throws
    /// The latest runs, newest first, with their steps in order.
    func history(limit: Int) async throws -> [RunHistory]
    /// The latest successful runs that created nodes, newest first, with their steps.
    func scaleUps(limit: Int) async throws -> [RunHistory]
    /// Deletes the runs, steps and settled alerts older than `cutoff`, keeping the node ledger, the latest
    /// `keepScaleUps` scale-ups, the latest run, a running one and unresolved failures.
    @discardableResult
    func pruneHistory(before cutoff: Date, keepScaleUps: Int) async throws -> PruneResult
    /// Role → replacement rounds (journaled `replace` steps) of this fleet since `instant`.
    func replacements(since instant: Date) async throws -> [String: Int]

    // MARK: The node ledger

    /// Every ledger row, oldest first.
    func ledger() async throws -> [LedgerNode]
    /// Ledger rows not known to be gone: what may still exist (and bill).
    func openLedger() async throws -> [LedgerNode]
    /// Brings the ledger in line with what the provider lists: unknown owned nodes are adopted, nodes no
    /// longer listed are closed. Call it only while holding the run lock.
    func reconcileLedger(with observed: [Node], at instant: Date) async throws

    // MARK: Alerts

    /// The latest alert deliveries, newest first.
    func alerts(limit: Int) async throws -> [AlertEntry]
}

/// A store problem, worded for the person reading it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One run and its steps in order.
public typealias RunHistory = (run: RunInfo, steps: [StepInfo])
