import Foundation

/// The snapshot storage a fleet keeps, role by role: how many of its own images, how many GB, and
/// what that costs a month at the provider's per-GB price (`[provider] snapshot_gb_month`).
public struct SnapshotStorage: Sendable, Hashable, Encodable {
    public struct Role: Sendable, Hashable, Encodable {
        public var role: String
        public var count: Int
        /// The sum of the sizes the provider reports.
        public var gb: Double
        /// Images whose size the provider does not (yet) report: counted, not in `gb`.
        public var unsized: Int
        /// `gb` × the price, per month; nil without a price.
        public var monthlyCost: Double?
    }

    public var roles: [Role]
    /// Per GB and month, in the provider's currency; nil when not configured.
    public var pricePerGBMonth: Double?

    /// - Parameter images: role → the fleet's own images of it (``SnapshotTaking/ownedImages(role:)``), in the order to show.
    public init(images: [(role: String, images: [ImageRecord])], pricePerGBMonth: Double?) {
        self.pricePerGBMonth = pricePerGBMonth
        roles = images.map { role, images in
            let gb = images.compactMap(\.sizeGB).reduce(0, +)
            return Role(
                role: role, count: images.count, gb: gb, unsized: images.filter { $0.sizeGB == nil }.count,
                monthlyCost: pricePerGBMonth.map { gb * $0 })
        }
    }

    public var count: Int { roles.map(\.count).reduce(0, +) }
    public var gb: Double { roles.map(\.gb).reduce(0, +) }
    public var monthlyCost: Double? { pricePerGBMonth.map { gb * $0 } }
}
