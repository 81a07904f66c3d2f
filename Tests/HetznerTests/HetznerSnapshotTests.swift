import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// The daily snapshots on Hetzner against the fake API: `scalectl snapshot` (create_image with the
/// fleet's labels, wait, prune), what the scale-up then chooses, the consistent shutdown of the template,
/// what `doctor` and `cost` say about them.
@Suite(.serialized, .awaitsCleanup)
struct HetznerSnapshotTests {
    typealias Fleet = HetznerEndToEndTests.Fleet

    static let own = [OwnershipLabel.fleet: "t", OwnershipLabel.role: "frontal"]
    static let selector = SnapshotPolicy.ownSelector(fleet: "t", role: "frontal")
    static let takeAt = "2026-11-23T17:00"
    static let during = "2026-11-23T20:30"

    /// Fleet `t` with one frontal role whose snapshots scalectl takes from `frontal-template` at 17:00,
    /// a `Gala` event at 21:00 (scale-up from 20:15), and the template seeded in the fake.
    static func start(keep: Int = 2, within: String = "30s", event: String = "2026-11-23 21:00") async throws -> (Fleet, template: Int) {
        let fleet = try await Fleet.start(seed: false, provider: "snapshot_gb_month = 0.0119", roles: """
            [roles.frontal]
            count = 1
            server_type = "cpx31"
            snapshot = { from = "frontal-template", take_at = "17:00", keep = \(keep), within = "\(within)", max_age = "30h" }
            """, event: event)
        let seeded = try await fleet.fake.seed(["servers": [["name": "frontal-template", "labels": ["kind": "template"]]]])
        let template = try #require((seeded["servers"] as? [[String: Any]])?.first?["id"] as? Int)
        return (fleet, template)
    }

    /// Seeds images of fleet `t`'s frontal role (or as `labels` says), `created` as given; their ids in order.
    static func seedImages(_ fake: FakeHetzner, _ images: [(name: String, created: String, labels: [String: String])]) async throws -> [Int] {
        let made = try await fake.seed(["images": images.map {
            ["description": $0.name, "created": $0.created, "labels": $0.labels, "image_size": 4.0] as [String: Any]
        }])
        return (made["images"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }

    static func images(_ fake: FakeHetzner) async throws -> [[String: Any]] { try await fake.state()["images"] as? [[String: Any]] ?? [] }

    @Test func takesALabelledSnapshotPrunesBeyondKeepAndNeverAnUnownedOrInUseOne() async throws {
        let (fleet, template) = try await Self.start(keep: 2)
        atEnd { await fleet.stop() }
        let ids = try await Self.seedImages(fleet.fake, [
            ("t-frontal-old-1", "2026-11-22T16:00:00+00:00", Self.own),
            ("t-frontal-old-2", "2026-11-21T16:00:00+00:00", Self.own),
            ("t-frontal-old-3", "2026-11-20T16:00:00+00:00", Self.own),
            ("t-frontal-in-use", "2026-11-19T16:00:00+00:00", Self.own),
            ("other-frontal", "2026-11-18T16:00:00+00:00", [OwnershipLabel.fleet: "other", OwnershipLabel.role: "frontal"]),
            ("hand-made", "2026-11-17T16:00:00+00:00", ["role": "frontal"]),
        ])
        // A live node of the fleet created from the in-use image.
        try await fleet.fake.seed(["servers": [["name": "t-frontal-9-1", "labels": Self.own, "image": ids[3]] as [String: Any]]])

        let result = try await fleet.run("snapshot", "--role", "frontal", "--at", Self.takeAt)
        #expect(result.status == 0, "\(result)")
        let requests = try await fleet.fake.requests()
        let creates = requests.filter { $0.is("POST", "/v1/servers/\(template)/actions/create_image") }
        #expect(creates.count == 1)
        let body = try #require(creates.first?.body)
        #expect(body["type"] as? String == "snapshot")
        #expect(body["description"] as? String == "t-frontal-2026-11-23-1700")
        #expect(body["labels"] as? [String: String] == Self.own.merging([SnapshotLabel.date: "2026-11-23"]) { $1 })
        #expect(!requests.contains { $0.path.hasSuffix("/actions/shutdown") }, "no consistent = \"shutdown\": the template keeps running")

        let deletes = requests.filter { $0.is("DELETE", matching: "/v1/images/[0-9]+") }.map(\.path)
        #expect(deletes == ["/v1/images/\(ids[2])", "/v1/images/\(ids[1])"], "beyond keep = 2, oldest first, never the in-use one")
        let left = try await Self.images(fleet.fake)
        let taken = try #require(left.first { $0["description"] as? String == "t-frontal-2026-11-23-1700" })
        #expect(taken["status"] as? String == "available")
        #expect(Set(left.compactMap { $0["id"] as? Int }) == [taken["id"] as? Int ?? 0, ids[0], ids[3], ids[4], ids[5]])
        #expect(result.stdout.contains("snapshot frontal: t-frontal-2026-11-23-1700 (id \(taken["id"] as? Int ?? 0)) taken from frontal-template; deleted t-frontal-old-3, t-frontal-old-2"), "\(result.stdout)")

        // Run again the same day: today's is found, none taken twice, nothing more deleted.
        let again = try await fleet.run("snapshot", "--at", "2026-11-23T17:20")
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("was there already"), "\(again.stdout)")
        #expect(try await fleet.fake.requests().filter { $0.path.hasSuffix("/actions/create_image") }.count == 1)

        // cost lists what the fleet keeps: 3 own snapshots (4 + 4 + 2.5 GB) at 0.0119 per GB-month.
        let cost = try await fleet.run("cost", "--at", Self.during)
        #expect(cost.status == 0, "\(cost)")
        #expect(cost.stdout.contains("snapshot storage: 3 snapshots, 10.50 GB: EUR 0.12 a month at 0.0119 per GB-month"), "\(cost.stdout)")
        #expect(cost.stdout.contains("  frontal: 3 snapshots, 10.50 GB: EUR 0.12 a month"), "\(cost.stdout)")
        let json = try await fleet.run("cost", "--json", "--at", Self.during)
        let storage = try #require(try json.json()["snapshots"] as? [String: Any], "\(json.stdout)")
        #expect(storage["price_per_gb_month"] as? Double == 0.0119)
        let roles = try #require(storage["roles"] as? [[String: Any]])
        #expect(roles.count == 1 && roles[0]["role"] as? String == "frontal" && roles[0]["count"] as? Int == 3 && roles[0]["gb"] as? Double == 10.5)
    }

    @Test func aFailedImageAlertsNamingTheTemplateAndTheScaleUpUsesTheOlderOne() async throws {
        let (fleet, template) = try await Self.start()
        atEnd { await fleet.stop() }
        let ids = try await Self.seedImages(fleet.fake, [("t-frontal-yesterday", "2026-11-22T16:00:00+00:00", Self.own)])
        try await fleet.fake.faults(["image_failures": 1])

        let result = try await fleet.run("snapshot", "--at", Self.takeAt)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("snapshot frontal (template frontal-template): FAILED"), "\(result.stderr)")
        #expect(result.stderr.contains("failed"), "\(result.stderr)")
        #expect(result.stderr.contains("the provider says: unavailable"), "\(result.stderr)")
        #expect(result.stderr.contains("template: frontal-template; 3h15m before the window of Gala opens"), "\(result.stderr)")
        let failed = try await Self.images(fleet.fake).filter { $0["status"] as? String == "unavailable" }
        #expect(failed.count == 1, "the failed one is left for the next prune")
        #expect(try await fleet.fake.requests().filter { $0.is("DELETE", matching: "/v1/images/.*") }.isEmpty, "the older one stays")
        _ = template

        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 0, "\(up)")
        let creates = try await fleet.fake.requests().filter { $0.is("POST", "/v1/servers") }.compactMap(\.body)
        #expect(creates.map { $0["image"] as? String } == [String(ids[0])], "the scale-up builds on yesterday's available one")
    }

    @Test func anImageStillBeingCreatedIsNeverChosen() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        try await fake.seed(["servers": [["name": "frontal-template", "labels": ["kind": "template"]]]])
        let previous = try await Self.seedImages(fake, [("t-frontal-yesterday", "2026-11-22T16:00:00+00:00", Self.own)])[0]
        try await fake.faults(["image_seconds": 600])
        let provider = fake.provider()
        let templates = try await provider.templateServers("kind=template")
        #expect(templates.map(\.name) == ["frontal-template"], "found by label selector")
        #expect(try await provider.templateServers("frontal-template").map(\.id) == templates.map(\.id), "and by name")
        #expect(try await provider.templateServers("frontal").isEmpty, "a name matches exactly")

        let labels = Self.own.merging([SnapshotLabel.date: "2026-11-23"]) { $1 }
        let taken = try await provider.takeSnapshot(SnapshotRequest(server: templates[0], name: "t-frontal-2026-11-23-1700", labels: labels, consistent: false))
        #expect(taken.status == .creating && taken.name == "t-frontal-2026-11-23-1700" && taken.labels == labels)
        #expect(try await provider.image(id: taken.id)?.status == .creating)
        #expect(try await provider.newestSnapshot(role: "frontal", selector: Self.selector)?.id == String(previous))
        let owned = try await provider.ownedImages(role: "frontal")
        #expect(Set(owned.map(\.id)) == [taken.id, String(previous)])
        #expect(owned.first { $0.id == String(previous) }?.sizeGB == 4.0)
    }

    @Test func deletingRefusesAnImageWithoutTheFleetsLabelAndAGoneOneIsNoError() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let ids = try await Self.seedImages(fake, [
            ("t-frontal-old", "2026-11-22T16:00:00+00:00", Self.own),
            ("hand-made", "2026-11-21T16:00:00+00:00", ["role": "frontal"]),
        ])
        let provider = fake.provider()
        #expect(try await provider.ownedImages(role: "frontal").map(\.id) == [String(ids[0])], "only the fleet's own")
        #expect(try await provider.image(id: "999999") == nil)
        // Asked with the fleet's labels, the provider still reads the image and refuses.
        let stranger = ImageRecord(id: String(ids[1]), name: "hand-made", status: .available, createdAt: Date(), labels: Self.own)
        let refused = await #expect(throws: ProviderError.self) { try await provider.deleteImage(stranger) }
        #expect(refused?.code == "not_owned")
        let own = try #require(try await provider.image(id: String(ids[0])))
        try await provider.deleteImage(own)
        try await provider.deleteImage(own)
        #expect(try await Self.images(fake).compactMap { $0["id"] as? Int } == [ids[1]])
        #expect(try await fake.requests().filter { $0.method == "DELETE" }.map(\.path) == ["/v1/images/\(ids[0])"], "the second found it gone")
    }

    struct Consistent: Sendable, CustomTestStringConvertible {
        var name: String
        var ignoresShutdown = false
        var imageFails = false
        var testDescription: String { name }
    }

    @Test(arguments: [
        Consistent(name: "graceful"),
        Consistent(name: "the OS ignores the shutdown", ignoresShutdown: true),
        Consistent(name: "the image fails", imageFails: true),
    ])
    func consistentShutsTheTemplateDownImagesItThenPowersItOn(_ scenario: Consistent) async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        try await fake.seed(["servers": [["name": "frontal-template", "labels": ["kind": "template"]]]])
        var faults: [String: Any] = [:]
        if scenario.ignoresShutdown { faults["ignore_shutdown"] = ["frontal-template"] }
        if scenario.imageFails { faults["image_failures"] = 1 }
        try await fake.faults(faults)
        let provider = fake.provider()
        let template = try #require(try await provider.templateServers("frontal-template").first)
        #expect(template.fleet == nil, "a template is the user's server, not the fleet's")

        let image = try await provider.takeSnapshot(SnapshotRequest(server: template, name: "t-frontal-2026-11-23-1700", labels: Self.own, consistent: true))
        #expect(image.status == (scenario.imageFails ? .failed : .available), "read after its action: \(image.summary)")
        let actions = try await fake.requests().filter { $0.is("POST", matching: "/v1/servers/\(template.id)/actions/.*") && $0.status == 201 }
            .map { String($0.path.split(separator: "/").last ?? "") }
        #expect(actions == ["shutdown"] + (scenario.ignoresShutdown ? ["poweroff"] : []) + ["create_image", "poweron"])
        #expect(try await fake.servers()["frontal-template"] == "running", "powered on again")
    }

    // MARK: doctor

    struct DoctorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var at: String
        var event = "2026-11-23 21:00"
        var takeFirst = false
        var status: String
        var detail: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        DoctorCase(name: "today's is available", at: "2026-11-23T17:30", takeFirst: true, status: "ok",
                   detail: "today's t-frontal-2026-11-23-1700 (id 201, available), taken from frontal-template, is available"),
        DoctorCase(name: "take_at is ahead, before the scale-up", at: "2026-11-23T16:00", status: "ok",
                   detail: "today's is taken from frontal-template at 2026-11-23 17:00 +01:00, before the next scale-up"),
        DoctorCase(name: "take_at has passed and none was taken", at: "2026-11-23T18:00", status: "FAILED",
                   detail: "no available frontal snapshot for today (2026-11-23) from the template frontal-template"),
        DoctorCase(name: "take_at comes after the scale-up", at: "2026-11-23T16:00", event: "2026-11-23 17:30", status: "FAILED",
                   detail: "today's frontal snapshot from frontal-template is taken at 2026-11-23 17:00 +01:00, after the scale-up starts at 2026-11-23 16:45 +01:00"),
    ])
    func doctorChecksTodaysSnapshot(_ scenario: DoctorCase) async throws {
        let (fleet, _) = try await Self.start(event: scenario.event)
        atEnd { await fleet.stop() }
        if scenario.takeFirst {
            let taken = try await fleet.run("snapshot", "--at", Self.takeAt)
            #expect(taken.status == 0, "\(taken)")
        }
        let result = try await fleet.run("doctor", "--at", scenario.at)
        let line = "\(scenario.status.padding(toLength: 9, withPad: " ", startingAt: 0))daily snapshot frontal: \(scenario.detail)"
        // A failed check goes to stderr with what to do, and is alerted naming the role.
        let output = scenario.status == "FAILED" ? result.stderr : result.stdout
        #expect(output.contains(line), "\(line)\n\(result)")
        if scenario.status == "FAILED" {
            #expect(result.status == 1)
            #expect(result.stderr.contains("to do: run scalectl snapshot --role frontal"), "\(result.stderr)")
            #expect(result.stderr.contains("Step: doctor daily-snapshot.frontal"), "\(result.stderr)")
        }
    }
}
