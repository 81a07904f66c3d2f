import ScaleTesting
import Synchronization
import Testing

/// `atEnd` actions run when their test ends, before the next test starts: each case finds every case
/// that ran before it cleaned up, in whatever order the cases run.
@Suite(.serialized, .awaitsCleanup)
struct AwaitedCleanupTests {
    static let log = Mutex<[String]>([])

    @Test(arguments: 1...3)
    func eachTestIsCleanedUpBeforeTheNextStarts(_ number: Int) async {
        let seen = Self.log.withLock { $0 }
        let ran = seen.filter { $0.hasPrefix("ran") }.map { $0.dropFirst(4) }
        let cleaned = seen.filter { $0.hasPrefix("cleaned") }.map { $0.dropFirst(8) }
        #expect(ran == cleaned, "\(seen)")
        atEnd { Self.log.withLock { $0.append("cleaned \(number)") } }
        atEnd { Self.log.withLock { #expect($0.last == "ran \(number)", "last registered, first run") } }
        Self.log.withLock { $0.append("ran \(number)") }
    }
}
