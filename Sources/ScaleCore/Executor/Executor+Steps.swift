import Foundation

extension Executor {
    func perform(_ step: Step, state: inout PipelineState, scope: RunScope) async throws {
        let role = state.plan.role
        switch step {
        case .resolveSnapshot:
            state.snapshot = try await resolveSnapshot(role: role)
        case .delete(let nodes, let reason):
            for node in nodes { state.deleting[node.name, default: []].insert(node.id) }
            try await delete(nodes, reason: reason, role: role, scope: scope)
        case .awaitGone(let names):
            try await awaitGone(names, ids: state.deletedIDs(of: names, observed: scope.observed), role: role, scope: scope)
        case .create(let names):
            guard let snapshot = state.snapshot else {
                throw StepFailure(role: role, step: step.kind, summary: "no snapshot was resolved before creating", action: "created nothing")
            }
            let unobtained = try await create(names, plan: state.plan, snapshot: snapshot, scope: scope)
            state.unobtained += unobtained
            state.excluded.formUnion(unobtained.map(\.name))
        case .awaitRunning(let names):
            try await awaitRunning(state.gated(names), role: role, scope: scope)
        case .attach(let balancer, let names):
            try await attach(state.gated(names), to: balancer, role: role, scope: scope)
        case .awaitHealthy(let balancer, let names):
            state.healthy = try await awaitHealthy(state.gated(names), on: balancer, role: role, scope: scope)
        case .probe(let names):
            state.ready = try await probe(state.gated(names), role: role, scope: scope)
        case .detach(let balancer, let nodes):
            try await detach(nodes, from: balancer, role: role)
        case .drain(let duration):
            progress.report(.began(role: role, step: step.kind, text: "draining connections for \(DurationText.format(duration))"))
            try await clock.sleep(for: duration)
        }
    }

    // MARK: Snapshot

    func resolveSnapshot(role: String) async throws -> Snapshot {
        guard let settings = fleet.role(role) else {
            throw StepFailure(role: role, step: "resolve-snapshot", summary: "role \(role) is not configured", action: "created nothing")
        }
        let rule = settings.snapshot
        let snapshot = try await calls.call("snapshot", "find the newest snapshot for \(role)") {
            try await provider.newestSnapshot(role: role, selector: rule.selector)
        }
        guard let snapshot else {
            throw StepFailure(
                role: role, step: "resolve-snapshot",
                summary: "no snapshot of role \(role) matches \(rule.described)",
                action: "created no \(role) node; check the daily snapshot job and the role's snapshot \(rule.matching == .labels ? "labels" : "name_prefix")"
            )
        }
        let age = clock.now().since(snapshot.createdAt)
        guard age <= rule.maxAge else {
            throw StepFailure(
                role: role, step: "resolve-snapshot",
                summary: "the newest \(role) snapshot \"\(snapshot.name)\" (id \(snapshot.id)) is \(DurationText.format(roundedToMinutes(age))) old, more than max_age \(DurationText.format(rule.maxAge))",
                action: "created no \(role) node from it; check the daily snapshot job, or raise max_age to accept it"
            )
        }
        progress.report(.began(role: role, step: "resolve-snapshot", text: "snapshot \"\(snapshot.name)\" (id \(snapshot.id), \(DurationText.format(roundedToMinutes(age))) old)"))
        return snapshot
    }

    // MARK: Create

    /// Creates the nodes, each in the first of the role's choices (server type and place) that is not
    /// sold out. Returns the nodes the cloud had no room for anywhere (every choice sold out, or the server
    /// limit reached): the role goes on with the others. Any other failure fails the step.
    func create(_ names: [String], plan: RolePlan, snapshot: Snapshot, scope: RunScope) async throws -> [(name: String, why: String)] {
        let role = plan.role
        guard let settings = fleet.role(role) else {
            throw StepFailure(role: role, step: "create", summary: "role \(role) is not configured", action: "created nothing")
        }
        let choices = fleet.choices(for: settings)
        progress.report(.began(role: role, step: "create", text: "creating \(names.count) node\(names.count == 1 ? "" : "s") (\(choices[0]))"))
        let results = await withTaskGroup(of: (String, Result<Node, ProviderError>).self) { group in
            for name in names {
                let spec = NodeSpec(
                    name: name, role: role, serverType: choices[0].serverType, snapshot: snapshot,
                    labels: [
                        OwnershipLabel.fleet: fleet.fleet, OwnershipLabel.role: role,
                        OwnershipLabel.event: plan.event ?? "none", OwnershipLabel.run: String(runID),
                    ],
                    location: choices[0].location
                )
                group.addTask { (name, await scope.limiter.run { await createPlaced(spec, choices: choices, scope: scope) }) }
            }
            var results: [(String, Result<Node, ProviderError>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0.localizedStandardCompare($1.0) == .orderedAscending }
        }
        let failed = results.compactMap { name, result in if case .failure(let error) = result { (name, error) } else { nil } }
        guard !failed.isEmpty else { return [] }
        if failed.allSatisfy({ $0.1.isNoRoom }) {
            return failed.map { (name: $0.0, why: $0.1.message) }
        }
        // What exists now, not what the answers said: a failed create action or a lost answer can leave
        // a server (powered off, billing) that no answer reported (issue 17, point 3).
        let wanted = Set(names)
        let listed = try? await scope.watcher.fresh()
        let existing = listed?.filter { $0.role == role && wanted.contains($0.name) }
            ?? results.compactMap { try? $0.1.get() }
        throw StepFailure(
            role: role, step: "create",
            summary: "\(failed.count) of \(names.count) \(role) nodes could not be created",
            nodes: existing,
            details: failed.map { "\($0.0): \($0.1.code): \($0.1.message)" + ($0.1.hint.map { " (\($0))" } ?? "") }
                + existing.map { "exists: \($0.summary); \(Self.nextRun(for: $0))" },
            providerError: failed[0].1,
            action: Self.createAction(existing: existing, listed: listed != nil)
        )
    }

    /// Creates one node in the first choice not known to be sold out, moving on at once (without counting
    /// a replacement) when the provider answers that a choice is sold out. The server limit ends the search:
    /// no other type or place has room then.
    func createPlaced(_ spec: NodeSpec, choices: [Placement], scope: RunScope) async -> Result<Node, ProviderError> {
        var tried: [String] = []
        for choice in choices {
            if let answer = await scope.soldOut.answer(choice) {
                tried.append("\(choice): \(answer) (earlier in this run)")
                continue
            }
            var placed = spec
            placed.serverType = choice.serverType
            placed.location = choice.location
            let result = await createOne(placed, scope: scope)
            switch result {
            case .success(let node):
                if choice != choices[0] {
                    progress.report(.warning(role: spec.role, text: "\(spec.name) created as \(choice): \(tried.joined(separator: "; "))"))
                }
                return .success(node)
            case .failure(let error) where error.isSoldOut:
                await scope.soldOut.record(choice, error)
                tried.append("\(choice): \(error.answer)")
            case .failure(let error) where error.isQuotaExceeded:
                var noRoom = error
                noRoom.message = "the server limit is reached (\(error.message))"
                noRoom.code = ProviderError.noRoomCode
                noRoom.settled = true
                return .failure(noRoom)
            case .failure:
                return result
            }
        }
        return .failure(ProviderError(
            provider: provider.name, operation: "create \(spec.name)", code: ProviderError.noRoomCode,
            message: "sold out in every choice: " + tried.joined(separator: "; "),
            hint: "add server types (server_types) or locations, or try again later", settled: true))
    }

    /// What the next `up` does with a node of the role that exists after a failed create.
    static func nextRun(for node: Node) -> String {
        switch node.state {
        case .running, .creating: "the next run keeps it"
        case .off, .error, .stopping: "billing while \(node.state.rawValue); the next run deletes and creates it again"
        case .deleting: "being deleted; the next run creates it again"
        }
    }

    private static func createAction(existing: [Node], listed: Bool) -> String {
        let known = listed ? "" : " (the fleet could not be listed again; these are the ones the provider confirmed)"
        guard !existing.isEmpty else { return "no server of these names exists\(known); a re-run creates them" }
        return "\(existing.count) server\(existing.count == 1 ? "" : "s") of these names exist\(known): "
            + existing.map { "\($0.name) (\($0.state.rawValue))" }.joined(separator: ", ")
            + "; a re-run keeps the running and booting ones, replaces the others and creates the missing ones"
    }

    /// Creates one node. Before any retry the name is looked up, so a create that did happen is never repeated.
    func createOne(_ spec: NodeSpec, scope: RunScope) async -> Result<Node, ProviderError> {
        do {
            try await journal.record(.intent(
                name: spec.name, role: spec.role, event: spec.labels[OwnershipLabel.event], serverType: spec.serverType,
                runID: runID, at: clock.now()))
        } catch {
            return .failure(ProviderError(
                provider: provider.name, operation: "create \(spec.name)", code: "journal_unavailable",
                message: "could not write the intent to the journal: \(error); did not call the provider"))
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let node = try await journaled(spec.role, "create", target: spec.name, "create \(spec.name) from \(spec.snapshot.name)") {
                    try await calls.call("create", "create \(spec.name)", attempts: 1) { try await provider.createNode(spec) }
                }
                try? await journal.record(.created(name: spec.name, id: node.id, at: clock.now()))
                await scope.tally.didCreate(spec.name)
                return .success(node)
            } catch let error as ProviderError {
                let nameTaken = error.code == ProviderError.nameTakenCode
                guard (nameTaken || error.isRetryable) && attempt < calls.policy.maxAttempts else {
                    if error.code != "circuit_open" { try? await journal.record(.failed(name: spec.name, at: clock.now())) }
                    return .failure(error)
                }
                // Look before trying again: the create may have happened although the answer was lost, and a
                // name the provider calls taken while no server holds it may be a lookup that lags the
                // create: look again, then try again (issue 17, point 8).
                switch await lookUp(spec) {
                case .success(let node?): return .success(node)
                case .success(nil): break
                case .failure(let lookUpError): return .failure(lookUpError)
                }
                let requested: Duration? = if case .yes(let after) = error.retry { after } else { nil }
                try? await clock.sleep(for: calls.policy.delay(afterAttempt: attempt, requested: requested))
            } catch {
                return .failure(ProviderError(provider: provider.name, operation: "create \(spec.name)", code: "unexpected", message: "\(error)"))
            }
        }
    }

    /// The node by that name if it is ours; an error naming it if someone else's holds the name.
    func lookUp(_ spec: NodeSpec) async -> Result<Node?, ProviderError> {
        do {
            let found = try await calls.call("lookup", "look up \(spec.name)") { try await provider.node(named: spec.name) }
            guard let found else { return .success(nil) }
            guard found.fleet == fleet.fleet else {
                return .failure(ProviderError(
                    provider: provider.name, operation: "create \(spec.name)", code: "name_taken_by_stranger",
                    message: "a server named \(spec.name) (id \(found.id)) exists without this fleet's label \(OwnershipLabel.fleet)=\(fleet.fleet)",
                    hint: "the controller never touches servers it does not own; rename or delete that server by hand"))
            }
            try? await journal.record(.created(name: spec.name, id: found.id, at: clock.now()))
            return .success(found)
        } catch {
            return .failure(error as? ProviderError ?? ProviderError(provider: provider.name, operation: "look up \(spec.name)", code: "unexpected", message: "\(error)"))
        }
    }

    // MARK: Waiting on the fleet

    func awaitRunning(_ names: [String], role: String, scope: RunScope) async throws {
        await scope.watcher.resetPace()
        let deadline = clock.now() + settings.bootTimeout
        var seen = 0
        var reported = -1
        while true {
            let listing = try await scope.watcher.next(after: seen)
            seen = listing.generation
            let byName = Dictionary(listing.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let running = names.filter { byName[$0]?.state == .running }
            if running.count != reported {
                progress.report(.counted(role: role, what: "running", done: running.count, total: names.count))
                reported = running.count
            }
            if running.count == names.count { return }
            let broken = names.compactMap { byName[$0] }.filter { [.error, .off, .deleting].contains($0.state) }
            if !broken.isEmpty || clock.now() >= deadline {
                let waiting = names.filter { byName[$0]?.state != .running }
                throw StepFailure(
                    role: role, step: "await-running",
                    summary: broken.isEmpty
                        ? "\(waiting.count) of \(names.count) \(role) nodes not running after \(DurationText.format(settings.bootTimeout))"
                        : "\(broken.count) of \(names.count) \(role) nodes failed while booting",
                    nodes: waiting.compactMap { byName[$0] },
                    details: waiting.map { byName[$0]?.summary ?? "\($0) (not found at the provider)" },
                    action: "kept every node; a re-run replaces broken ones and waits for the rest",
                    replaceable: waiting, passing: running.count
                )
            }
        }
    }

    /// Waits until the deleted servers are gone. A name whose deleted ids are known waits for those ids,
    /// not the name: when a duplicate carried the name, the kept node still has it (issue 17, point 10).
    func awaitGone(_ names: [String], ids: [String: Set<String>] = [:], role: String, scope: RunScope) async throws {
        await scope.watcher.resetPace()
        let deadline = clock.now() + settings.goneTimeout
        var seen = 0
        var reported = -1
        var pending = Set(names)
        func stillThere(_ name: String, in nodes: [Node]) -> [Node] {
            let same = nodes.filter { $0.name == name }
            guard let wanted = ids[name], !wanted.isEmpty else { return same }
            return same.filter { wanted.contains($0.id) }
        }
        while true {
            let listing = try await scope.watcher.next(after: seen)
            seen = listing.generation
            for name in pending where stillThere(name, in: listing.nodes).isEmpty {
                if listing.nodes.allSatisfy({ $0.name != name }) { try? await journal.record(.gone(name: name, at: clock.now())) }
                pending.remove(name)
            }
            if names.count - pending.count != reported {
                reported = names.count - pending.count
                progress.report(.counted(role: role, what: "gone", done: reported, total: names.count))
            }
            if pending.isEmpty { return }
            if clock.now() >= deadline {
                let left = pending.sorted().flatMap { stillThere($0, in: listing.nodes) }
                throw StepFailure(
                    role: role, step: "await-gone",
                    summary: "\(left.count) of \(names.count) \(role) nodes still exist \(DurationText.format(settings.goneTimeout)) after deletion and may still be billing",
                    nodes: left, details: left.map(\.summary),
                    action: "left them; run `\(scope.rerun)` again, or delete them in the provider's console"
                )
            }
        }
    }

    // MARK: Delete

    func delete(_ nodes: [Node], reason: DeleteReason, role: String, scope: RunScope) async throws {
        let why = switch reason {
        case .replace: "broken, to be replaced"
        case .extra: "not wanted in this window"
        case .teardown: "the window is over"
        }
        progress.report(.began(role: role, step: "delete", text: "deleting \(nodes.count) node\(nodes.count == 1 ? "" : "s") (\(why))"))
        let failures = await withTaskGroup(of: (Node, ProviderError?).self) { group in
            for node in nodes {
                group.addTask {
                    await scope.limiter.run {
                        do {
                            try await deleteOne(node, role: role, why: why)
                            await scope.tally.didDelete(node.name)
                            return (node, nil)
                        } catch {
                            return (node, error as? ProviderError ?? ProviderError(provider: provider.name, operation: "delete \(node.name)", code: "unexpected", message: "\(error)"))
                        }
                    }
                }
            }
            var failures: [(Node, ProviderError)] = []
            for await (node, error) in group { if let error { failures.append((node, error)) } }
            return failures
        }
        guard !failures.isEmpty else { return }
        throw StepFailure(
            role: role, step: "delete",
            summary: "\(failures.count) of \(nodes.count) \(role) nodes could not be deleted and may still be billing",
            nodes: failures.map(\.0), details: failures.map { "\($0.0.summary): \($0.1.code): \($0.1.message)" },
            providerError: failures[0].1,
            action: "deleted the others; run `\(scope.rerun)` again to retry"
        )
    }

    func deleteOne(_ node: Node, role: String, why: String) async throws {
        if let graceful = bundle.shutdown, node.state == .running {
            try await journaled(role, "shutdown", target: node.name, "shut down \(node.name) (id \(node.id))") {
                try await calls.call("shutdown", "shut down \(node.name)") { try await graceful.shutDown(node) }
            }
        }
        try await journaled(role, "delete", target: node.name, "delete \(node.name) (id \(node.id)): \(why)") {
            try await calls.call("delete", "delete \(node.name)") { try await provider.deleteNode(node) }
        }
    }

}

private func roundedToMinutes(_ duration: Duration) -> Duration {
    .seconds(Int64((duration.timeInterval / 60).rounded()) * 60)
}
