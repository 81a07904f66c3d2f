import Foundation
import ScaleCore
import Testing

/// What `cost` says the fleet's snapshots take: counted per role, sized as the provider says, priced per GB-month.
struct SnapshotStorageTests {
    static func image(_ id: String, _ size: Double?) -> ImageRecord {
        ImageRecord(id: id, name: id, status: .available, createdAt: Date(timeIntervalSince1970: 0), sizeGB: size)
    }

    @Test func countsSizesAndPricesEachRole() {
        let storage = SnapshotStorage(
            images: [("frontal", [Self.image("a", 4), Self.image("b", 2.5), Self.image("c", nil)]), ("celery", [])], pricePerGBMonth: 0.0119)
        #expect(storage.roles.map(\.role) == ["frontal", "celery"], "in the order given")
        #expect(storage.roles[0].count == 3 && storage.roles[0].gb == 6.5 && storage.roles[0].unsized == 1)
        #expect(abs((storage.roles[0].monthlyCost ?? 0) - 6.5 * 0.0119) < 1e-12)
        #expect(storage.roles[1].count == 0 && storage.roles[1].monthlyCost == 0)
        #expect(storage.count == 3 && storage.gb == 6.5)
    }

    @Test func withoutAPriceTheMoneyIsUnknown() {
        let storage = SnapshotStorage(images: [("frontal", [Self.image("a", 4)])], pricePerGBMonth: nil)
        #expect(storage.roles[0].monthlyCost == nil && storage.monthlyCost == nil)
        #expect(storage.gb == 4)
    }
}
