import Foundation

extension LockHolder {
    /// A holder on another host is presumed dead when its heartbeat is older than this.
    public static let remoteExpiry: TimeInterval = 300

    /// Whether the holder is gone, seen from `host` at `now`: on this host its process no longer exists
    /// (or its pid now belongs to a later process); on another host its heartbeat stopped.
    public func isStale(seenFrom host: String, now: Date) -> Bool {
        guard self.host == host else { return now.timeIntervalSince(heartbeat) > Self.remoteExpiry }
        return ControllerID(host: self.host, pid: pid, processStart: processStart).isGone(seenFrom: host)
    }
}

extension ControllerID {
    /// Whether this process is gone, seen from `host`: on the same host, when its process no longer exists
    /// (or its pid now belongs to a later process). From another host it cannot be told: false.
    public func isGone(seenFrom host: String) -> Bool {
        guard self.host == host else { return false }
        guard ChildProcess.isAlive(pid) else { return true }
        if let processStart, let actual = ChildProcess.startTicks(of: pid) { return processStart != actual }
        return false
    }
}
