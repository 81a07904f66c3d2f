import Foundation
import GRDB
import Logging
import ScaleCore
@testable import ScaleSim
import ScaleTesting
import Testing

struct SimCloudTests {
    func cloud(_ database: any DatabaseWriter, directory: TemporaryDirectory) throws -> SimCloud {
        var settings = SimSettings(apiLatency: .zero, bootTime: .milliseconds(50), bootSpread: .zero)
        settings.roles["frontal"] = SimRoleSettings(bootCommand: "exec sleep 60")
        return try SimCloud(fleet: "m", settings: settings, database: database, calendar: SystemClock(), nodeLogDirectory: directory.path, logger: TestTools.quietLogger)
    }

    @Test func aServerWhoseCreatorDiedMidCallStillBoots() async throws {
        let database = try DatabaseQueue()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cloud = try cloud(database, directory: directory)
        // The state a create leaves when its caller is killed after the server row was written.
        try await database.write { db in
            var server = SimServer(
                id: nil, name: "m-frontal-1-1", labels: [OwnershipLabel.fleet: "m", OwnershipLabel.role: "frontal"], serverType: "x",
                imageID: "i", port: 40000, pid: nil, processStart: nil, createdAt: Date().timeIntervalSince1970, runningAt: Date().timeIntervalSince1970,
                deleteRequestedAt: nil, goneAt: nil)
            try server.insert(db)
        }
        _ = try await cloud.listNodes()
        let pid = try #require(try await database.read { db in try SimServer.fetchOne(db)?.pid })
        #expect(ChildProcess.isAlive(pid))

        let node = try #require(try await cloud.listNodes().first)
        try await cloud.deleteNode(node)
        #expect(!ChildProcess.isAlive(pid), "deleting the node stops its process")
    }

    @Test func aProcessThatDiedIsNotRestarted() async throws {
        let database = try DatabaseQueue()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cloud = try cloud(database, directory: directory)
        let snapshot = try #require(try await cloud.newestSnapshot(role: "frontal", selector: "role=frontal"))
        _ = try await cloud.createNode(NodeSpec(name: "m-frontal-1-1", role: "frontal", serverType: "x", snapshot: snapshot, labels: [OwnershipLabel.fleet: "m", OwnershipLabel.role: "frontal"]))
        let pid = try #require(try await database.read { db in try SimServer.fetchOne(db)?.pid })
        await ChildProcess.terminateGroup(pid)
        _ = try await cloud.listNodes()
        #expect(try await database.read { db in try SimServer.fetchOne(db)?.pid } == pid, "the node crashed; the cloud does not heal it")
        #expect(!ChildProcess.isAlive(pid))
    }

    /// A pid recorded at create time may belong to another process by the time the node is deleted (pids
    /// wrap around within a minute on a busy host): deleting the node must not signal that stranger.
    @Test func deletingANodeNeverSignalsAProcessThatReusedItsPid() async throws {
        let database = try DatabaseQueue()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cloud = try cloud(database, directory: directory)
        let snapshot = try #require(try await cloud.newestSnapshot(role: "frontal", selector: "role=frontal"))
        let spec = { (name: String) in
            NodeSpec(name: name, role: "frontal", serverType: "x", snapshot: snapshot, labels: [OwnershipLabel.fleet: "m", OwnershipLabel.role: "frontal"])
        }
        let recorded = try await cloud.createNode(spec("m-frontal-1-1"))
        let server = try #require(try await database.read { db in try SimServer.fetchOne(db, key: Int64(recorded.id)) })
        let pid = try #require(server.pid)
        #expect(server.processStart != nil && server.processStart.map(UInt64.init) == ChildProcess.startTicks(of: pid))

        // The same pid, as if a later process had it: its start time is not the one recorded.
        try await database.write { db in
            try db.execute(sql: "UPDATE simServer SET processStart = processStart - 1 WHERE id = ?", arguments: [server.id])
        }
        try await cloud.deleteNode(recorded)
        #expect(ChildProcess.isAlive(pid), "a process the sim cannot identify as the node's is left alone")
        await ChildProcess.terminateGroup(pid)

        let node = try await cloud.createNode(spec("m-frontal-1-2"))
        let second = try #require(try await cloud.processID(ofServer: node.id))
        try await cloud.deleteNode(node)
        #expect(!ChildProcess.isAlive(second), "the node's own process is stopped")
    }

    @Test func dailySnapshotsFollowTheControllersClock() async throws {
        let database = try DatabaseQueue()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rehearsal = RehearsalClock(pretending: try TimeText.parse("2026-11-23T10:00Z", zone: .gmt))
        let cloud = try SimCloud(fleet: "m", settings: SimSettings(apiLatency: .zero), database: database, calendar: rehearsal, nodeLogDirectory: directory.path, logger: TestTools.quietLogger)
        let snapshot = try #require(try await cloud.newestSnapshot(role: "frontal", selector: "role=frontal"))
        #expect(snapshot.name == "frontal-2026-11-22", "before 14:00 UTC the newest is yesterday's")
        #expect(TimeText.iso(snapshot.createdAt) == "2026-11-22T14:00:00Z")
    }
}
