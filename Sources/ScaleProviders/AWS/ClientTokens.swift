import Foundation
import ScaleSigV4

/// `RunInstances` idempotency tokens: the same for every attempt at creating one node in one run, so
/// AWS turns a repeated call into the first one's answer, and new once this process has terminated
/// a node of that name (a replacement must not get the terminated instance back, which AWS does for a
/// known token).
actor ClientTokens {
    private var terminated: [String: Int] = [:]

    /// 64 hex characters (AWS allows 64) from the node name, event, run and replacement count, and the
    /// `placement` (``AWSCloud`` passes the instance type and subnet of every try: a fallback is another
    /// request, and AWS refuses a known token with other parameters, `IdempotentParameterMismatch`).
    func token(name: String, event: String, run: String, placement: String = "") -> String {
        let generation = terminated[name, default: 0]
        let text = "scalectl\n\(name)\n\(event)\n\(run)\n\(generation)" + (placement.isEmpty ? "" : "\n\(placement)")
        return SigV4Signer.sha256Hex(Data(text.utf8))
    }

    func didTerminate(_ name: String) { terminated[name, default: 0] += 1 }
}
