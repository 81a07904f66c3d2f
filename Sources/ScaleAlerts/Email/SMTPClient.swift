import CCurl
import CCurlShim
import Foundation
import ScaleCore
import Synchronization

/// A mail server that did not take the message.
public struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case connect, tls, login, rejected, timeout, cancelled, other
    }

    public var kind: Kind
    /// `smtp://host:587`.
    public var target: String
    /// The last SMTP reply code, when the server answered.
    public var reply: Int?
    /// libcurl's words for it.
    public var message: String

    /// Whether trying again may help: not after a refused login or a rejected address.
    public var retryable: Bool {
        switch kind {
        case .connect, .timeout, .other: reply.map { !(500..<600).contains($0) } ?? true
        case .tls, .login, .rejected, .cancelled: false
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .connect: what = "could not connect to \(target)"
        case .tls: what = "no secure connection to \(target)"
        case .login: what = "\(target) refused the login (check the user and password variables)"
        case .rejected: what = "\(target) refused the message"
        case .timeout: what = "\(target) did not finish in time"
        case .cancelled: what = "sending through \(target) was cancelled"
        case .other: what = "sending through \(target) failed"
        }
        return what + (reply.map { " (SMTP \($0))" } ?? "") + ": \(message)"
    }
}

/// Sends mail through libcurl's SMTP client. Each send runs `curl_easy_perform` on a thread of its own,
/// off Swift's cooperative pool, bounded by the connect and total timeouts; cancelling the calling task
/// aborts the transfer within about a second.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) { self.settings = settings }

    /// Sends `message` to ``SMTPSettings/to`` from ``SMTPSettings/from``.
    /// - Throws: ``SMTPError`` saying which part failed and what the server answered.
    public func send(_ message: MailMessage) async throws(SMTPError) {
        let payload = message.rendered
        let settings = settings
        let cancelled = CancelFlag()
        let result: SMTPError? = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: CurlSMTPTransfer(settings: settings, payload: payload, cancelled: cancelled).perform())
                }
                thread.start()
            }
        } onCancel: {
            cancelled.set()
        }
        if let result { throw result }
    }
}

/// Set by task cancellation, read by libcurl's progress callback on the sending thread.
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// libcurl's global state, set up once before the first handle.
private let curlReady: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

/// One SMTP transfer on one easy handle, confined to the thread that performs it.
private final class CurlSMTPTransfer {
    let settings: SMTPSettings
    let payload: [UInt8]
    var offset = 0
    let cancelled: CancelFlag

    init(settings: SMTPSettings, payload: Data, cancelled: CancelFlag) {
        self.settings = settings
        self.payload = Array(payload)
        self.cancelled = cancelled
    }

    /// Runs the whole conversation; nil when the server accepted the message.
    func perform() -> SMTPError? {
        let target = settings.target
        guard curlReady, let handle = curl_easy_init() else {
            return SMTPError(kind: .other, target: target, reply: nil, message: "libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(handle) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for address in settings.to { recipients = curl_slist_append(recipients, "<\(address)>") }
        defer { curl_slist_free_all(recipients) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let context = Unmanaged.passUnretained(self).toOpaque()

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            var setup = CURLE_OK
            func check(_ result: CURLcode) { if setup == CURLE_OK { setup = result } }
            check(ccurl_set_string(handle, CURLOPT_URL, settings.server.absoluteString))
            check(ccurl_set_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
            check(ccurl_set_long(handle, CURLOPT_NOSIGNAL, 1))
            check(ccurl_set_long(handle, CURLOPT_USE_SSL, Int(settings.requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue)))
            if let caFile = settings.caFile { check(ccurl_set_string(handle, CURLOPT_CAINFO, caFile)) }
            check(ccurl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(settings.connectTimeout)))
            check(ccurl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(settings.timeout)))
            check(ccurl_set_string(handle, CURLOPT_MAIL_FROM, "<\(settings.from)>"))
            check(ccurl_set_pointer(handle, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients)))
            if let username = settings.username { check(ccurl_set_string(handle, CURLOPT_USERNAME, username.reveal())) }
            if let password = settings.password { check(ccurl_set_string(handle, CURLOPT_PASSWORD, password.reveal())) }
            check(ccurl_set_long(handle, CURLOPT_UPLOAD, 1))
            check(ccurl_set_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(payload.count)))
            check(ccurl_set_read_function(handle, { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                return Unmanaged<CurlSMTPTransfer>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: size * count)
            }))
            check(ccurl_set_pointer(handle, CURLOPT_READDATA, context))
            check(ccurl_set_long(handle, CURLOPT_NOPROGRESS, 0))
            check(ccurl_set_progress_function(handle, { context, _, _, _, _ in
                guard let context else { return 0 }
                return Unmanaged<CurlSMTPTransfer>.fromOpaque(context).takeUnretainedValue().cancelled.isSet ? 1 : 0
            }))
            check(ccurl_set_pointer(handle, CURLOPT_XFERINFODATA, context))
            check(ccurl_set_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress)))
            guard setup == CURLE_OK else { return setup }
            return curl_easy_perform(handle)
        }
        guard code != CURLE_OK else { return nil }

        var reply = 0
        _ = ccurl_get_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return SMTPError(kind: kind(of: code), target: target, reply: reply > 0 ? reply : nil, message: message)
    }

    private func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, payload.count - offset)
        guard count > 0 else { return 0 }
        payload.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    private func kind(of code: CURLcode) -> SMTPError.Kind {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .connect
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_LOGIN_DENIED: .login
        case CURLE_USE_SSL_FAILED, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: .tls
        case CURLE_SEND_ERROR where cancelled.isSet, CURLE_ABORTED_BY_CALLBACK: .cancelled
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING: .other
        default: code == CURLE_UPLOAD_FAILED || code == CURLE_QUOTE_ERROR ? .rejected : .other
        }
    }

    private func milliseconds(_ duration: Duration) -> Int { max(1, Int(duration.timeInterval * 1000)) }
}
