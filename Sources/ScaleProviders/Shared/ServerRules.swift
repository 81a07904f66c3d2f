import Foundation
import Logging
import ScaleCore

/// A graceful shutdown then a hard power cut, as Hetzner Cloud and DigitalOcean both offer them: ask
/// the OS to shut down (its answer only means the request reached the server), wait up to a timeout
/// for the server to be off, then cut the power. A lost answer is waited for as if it came; a server
/// already gone (404) ends it.
enum GracefulStop {
    /// - Parameters:
    ///   - ask: sends the graceful request (and waits for its action where the API has one).
    ///   - waitOff: returns once the server is off or gone; throws ``ShutdownTimedOut`` after `timeout`.
    ///   - cut: sends the power-off and waits for it.
    static func run(
        name: String, id: String, timeout: Duration, logger: Logger, ask: () async throws -> Void, waitOff: (Duration) async throws -> Void,
        cut: () async throws -> Void
    ) async throws {
        do {
            do {
                try await ask()
            } catch let error as ProviderError where error.outcomeUnknown {
                // The answer was lost; the request may have reached the server: wait for it as if it had.
                logger.info("Shutdown answer lost; waiting for the server as if it was sent", metadata: ["node.name": "\(name)", "server.id": "\(id)"])
            }
            do {
                try await waitOff(timeout)
                return
            } catch is ShutdownTimedOut {
                logger.info("Graceful shutdown timed out; powering off", metadata: ["node.name": "\(name)", "server.id": "\(id)"])
            }
            do {
                try await cut()
            } catch let error as ProviderError where error.outcomeUnknown {
                // Deleting (or imaging) follows, and a running server is deleted or imaged all the same.
                logger.info("Power-off answer lost; going on", metadata: ["node.name": "\(name)", "server.id": "\(id)"])
            }
        } catch let error as ProviderError where error.status == 404 {
            return
        }
    }
}

/// A graceful shutdown that did not reach `off` in time.
struct ShutdownTimedOut: Error {}

/// The rule every provider keeps: a server without this fleet's ownership label (tag) is never changed.
enum Ownership {
    /// The numeric id of `node` when this fleet owns it; otherwise an error naming it and the mark it lacks.
    static func id(of node: Node, fleet: String, provider: String, operation: String, kind: String, mark: String) throws -> Int {
        guard node.fleet == fleet, let id = Int(node.id) else {
            throw ProviderError(
                provider: provider, operation: operation, code: "not_owned",
                message: "\(kind) \(node.name) (id \(node.id)) does not carry the \(mark)",
                hint: "the controller never changes \(kind)s it does not own")
        }
        return id
    }
}
