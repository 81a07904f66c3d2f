/// A provider and its optional abilities, each found once, where the provider is built: a wrapper
/// around the provider cannot silently lose an ability, as an `as?` cast at the point of use would.
public struct ProviderBundle: Sendable {
    public var provider: any CloudProvider
    public var balancers: (any LoadBalancing)?
    /// Asked to shut a running node down before deleting it.
    public var shutdown: (any GracefulShutdown)?
    /// Where the provider's request budget is read, if it reports one.
    public var rateLimit: (any RateLimitReporting)?
    /// Preflight abilities, for `doctor`.
    public var balancerLookup: (any BalancerLookup)?
    public var serverTypes: (any ServerTypeAvailability)?
    public var quota: (any QuotaReporting)?
    /// Takes and prunes the roles' daily snapshots (`scalectl snapshot`).
    public var snapshots: (any SnapshotTaking)?

    public init(
        provider: any CloudProvider, balancers: (any LoadBalancing)? = nil, shutdown: (any GracefulShutdown)? = nil,
        rateLimit: (any RateLimitReporting)? = nil, balancerLookup: (any BalancerLookup)? = nil,
        serverTypes: (any ServerTypeAvailability)? = nil, quota: (any QuotaReporting)? = nil,
        snapshots: (any SnapshotTaking)? = nil
    ) {
        self.provider = provider
        self.balancers = balancers
        self.shutdown = shutdown
        self.rateLimit = rateLimit
        self.balancerLookup = balancerLookup
        self.serverTypes = serverTypes
        self.quota = quota
        self.snapshots = snapshots
    }

    /// A provider with every ability it has.
    public static func of<P: CloudProvider & LoadBalancing & BalancerLookup & ServerTypeAvailability & QuotaReporting>(
        _ provider: P, shutdown: (any GracefulShutdown)? = nil, rateLimit: (any RateLimitReporting)? = nil,
        snapshots: (any SnapshotTaking)? = nil
    ) -> ProviderBundle {
        ProviderBundle(
            provider: provider, balancers: provider, shutdown: shutdown, rateLimit: rateLimit, balancerLookup: provider,
            serverTypes: provider, quota: provider, snapshots: snapshots)
    }
}
