extension HTTPClient {
    /// The process's client for probes and status reads. A long-running process shares one: each
    /// `HTTPClient` holds a URLSession, and making one per run grew the daemon's resident memory by
    /// about a kilobyte a run, never given back (measured with `scalectl-bench --soak`).
    public static let shared = HTTPClient()

    /// The process's client for answers that must be small (webhook receivers: 64 KiB).
    public static let sharedSmall = HTTPClient(maxResponseBytes: 64 << 10)
}
