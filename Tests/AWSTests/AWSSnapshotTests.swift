import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// `scalectl snapshot` on AWS against moto: CreateImage with tags, the image read back, and pruning that
/// deregisters the AMI and deletes its EBS snapshots; checked through boto3.
@Suite(.serialized)
struct AWSSnapshotTests {
    struct Images: Decodable {
        struct Image: Decodable {
            var id: String
            var state: String
            var tags: [String: String]
            var snapshots: [String]
        }
        struct EBS: Decodable {
            var id: String
            var tags: [String: String]
        }
        var images: [Image]
        var snapshots: [EBS]
    }

    func images(_ moto: Moto) async throws -> Images {
        try JSONDecoder().decode(Images.self, from: try await TestPython.run("moto_tool.py", ["images", moto.endpoint]))
    }

    @Test func takesATaggedImageAndPruningDeletesItsEBSSnapshotsButNeverAnUnownedImage() async throws {
        try await Moto.with { moto in
            let seed = try await moto.seed()
            let cloud = moto.cloud()
            let templates = try await cloud.templateServers("stranger")
            #expect(templates.map(\.id) == [seed.stranger])
            let labels = [OwnershipLabel.fleet: "t", OwnershipLabel.role: "frontal", SnapshotLabel.date: "2026-12-01"]
            let taken = try await cloud.takeSnapshot(SnapshotRequest(server: templates[0], name: "t-frontal-2026-12-01-1700", labels: labels, consistent: false))
            let read = try #require(try await cloud.image(id: taken.id))
            #expect(read.status == .available && read.labels == labels)
            #expect(try await cloud.ownedImages(role: "frontal").map(\.id) == [taken.id], "the seeded role=frontal image is not the fleet's")

            var state = try await images(moto)
            let image = try #require(state.images.first { $0.id == taken.id })
            #expect(image.tags == labels)
            #expect(!image.snapshots.isEmpty, "moto backs an AMI with an EBS snapshot")
            for id in image.snapshots { #expect(state.snapshots.first { $0.id == id }?.tags == labels, "EBS snapshot \(id) is tagged") }

            // Never an image without the fleet's tag, even when asked.
            let foreign = try #require(seed.images["frontal"])
            await #expect(throws: ProviderError.self) {
                try await cloud.deleteImage(ImageRecord(id: foreign, name: "frontal-daily", status: .available, createdAt: Date(), labels: labels))
            }
            try await cloud.deleteImage(read)
            state = try await images(moto)
            #expect(!state.images.contains { $0.id == taken.id })
            #expect(state.images.contains { $0.id == foreign })
            for id in image.snapshots { #expect(!state.snapshots.contains { $0.id == id }, "EBS snapshot \(id) deleted with its AMI") }
            try await cloud.deleteImage(read)  // gone already: not an error
        }
    }
}
