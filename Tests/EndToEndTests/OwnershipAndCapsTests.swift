import Foundation
import GRDB
import Logging
import ScaleCore
import ScaleSim
import ScaleStore
import ScaleTesting
import Testing

@Suite(.awaitsCleanup)
struct OwnershipAndCapsTests {
    /// Servers without this fleet's label, one with the very name the controller would use, are never
    /// changed or deleted; the run that needs that name fails naming it.
    @Test func serversWeDoNotOwnAreNeverTouched() async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        // Another fleet shares the sim cloud's state file; its server and an unlabelled one live there.
        let other = try SimCloud(fleet: "other", settings: SimSettings(apiLatency: .zero, bootTime: .zero, bootSpread: .zero), statePath: fleet.simState, calendar: SystemClock(), logger: TestTools.quietLogger)
        let snapshot = try #require(try await other.newestSnapshot(role: "frontal", selector: "role=frontal"))
        let sameName = try await other.createNode(NodeSpec(name: "t-frontal-1-1", role: "frontal", serverType: "cx11", snapshot: snapshot, labels: [OwnershipLabel.fleet: "other", OwnershipLabel.role: "frontal"]))
        let unlabelled = try await other.createNode(NodeSpec(name: "t-celery-1-9", role: "celery", serverType: "cx11", snapshot: snapshot, labels: [:]))
        // The controller booted them like any server in the cloud; their owner deletes them.
        atEnd { for node in [sameName, unlabelled] { try? await other.deleteNode(node) } }

        let up = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(up.status == 1)
        #expect(up.stderr.contains("a server named t-frontal-1-1 (id \(sameName.id)) exists without this fleet's label scalectl-fleet=t"), "\(up.stderr)")
        #expect(up.stderr.contains("the controller never touches servers it does not own"))

        let down = try await fleet.run("down", "--force", "--at", LifecycleTests.during)
        #expect(down.status == 0, "\(down)")
        #expect(try await other.node(named: "t-frontal-1-1")?.id == sameName.id, "the other fleet's server is still there")
        #expect(try await other.node(named: "t-celery-1-9")?.id == unlabelled.id, "the unlabelled server is still there")
        #expect(try await other.node(named: "t-frontal-1-1")?.state == .running)
    }

    @Test func aPlanOverTheFleetCapIsRefusedWithTheNumbers() async throws {
        let fleet = try TestFleet(extraController: "max_nodes = 4")
        defer { fleet.directory.remove() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let up = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(up.status == 2, "\(up)")
        #expect(up.stderr.contains("the plan wants 5 nodes in all (#1 \"Gala\"), more than max_nodes 4 for the fleet"), "\(up.stderr)")
        #expect(up.stderr.contains("Nothing was changed"))
        #expect(try await fleet.nodes(at: LifecycleTests.during).values.allSatisfy(\.isEmpty))
        #expect(try await fleet.run("history").stdout.contains("refused"))
    }

    /// `plan` decides caps in the planner, as every run does: it shows the plan over the cap, refuses it with
    /// the same numbers and exit status as `reconcile`, and changes nothing.
    @Test func planRefusesWhatReconcileRefusesWithTheSameNumbers() async throws {
        let fleet = try TestFleet(extraController: "max_nodes = 4")
        defer { fleet.directory.remove() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let numbers = "the plan wants 5 nodes in all (#1 \"Gala\"), more than max_nodes 4 for the fleet"
        let plan = try await fleet.run("plan", "--at", LifecycleTests.during)
        #expect(plan.status == 2, "\(plan)")
        #expect(plan.stdout.contains("REFUSED: \(numbers)"), "\(plan.stdout)")
        #expect(plan.stderr.contains("refusing the plan: \(numbers)"), "\(plan.stderr)")
        let json = try await fleet.run("plan", "--json", "--at", LifecycleTests.during)
        #expect(json.status == 2)
        #expect((try json.json()["refusal"] as? String)?.hasPrefix(numbers) == true, "\(json.stdout)")
        let reconcile = try await fleet.run("reconcile", "--at", LifecycleTests.during)
        #expect(reconcile.status == plan.status)
        #expect(reconcile.stderr.contains("refusing the plan: \(numbers)"), "\(reconcile.stderr)")
        #expect(try await fleet.nodes(at: LifecycleTests.during).values.allSatisfy(\.isEmpty))
        let under = try await fleet.run("plan", "--at", "2026-11-23T12:00")
        #expect(under.status == 0, "outside the window nothing is refused: \(under)")
    }

    @Test func countsOverARoleCapAreRefusedAtInput() async throws {
        let fleet = try TestFleet(frontalKeys: "max_nodes = 4")
        defer { fleet.directory.remove() }
        let add = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00", "--count", "frontal=6")
        #expect(add.status == 2)
        #expect(add.stderr.contains("count \"frontal=6\" is more than max_nodes 4 for frontal"), "\(add.stderr)")
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let set = try await fleet.run("override", "set", "frontal", "9", "--event", "1", "--reason", "record audience")
        #expect(set.status == 2)
        #expect(set.stderr.contains("9 frontal nodes is more than max_nodes 4 for frontal"), "\(set.stderr)")
    }
}
