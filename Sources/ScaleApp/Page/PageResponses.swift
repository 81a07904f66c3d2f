import FlyingFox
import Foundation

/// The HTTP answers of the daemon's address: the headers every answer carries, the login form, and
/// the 401 that says nothing of the fleet.
enum PageResponses {
    /// Seconds between the page's reloads in the daemon.
    static let refresh = 30

    static func headers(_ type: String) -> HTTPHeaders {
        [
            .contentType: type, HTTPHeader("Content-Security-Policy"): PageStyle.contentSecurityPolicy,
            HTTPHeader("X-Content-Type-Options"): "nosniff", .cacheControl: "no-store", HTTPHeader("Referrer-Policy"): "no-referrer",
            HTTPHeader("X-Frame-Options"): "DENY",
        ]
    }

    static func html(_ page: HTML, status: HTTPStatusCode = .ok) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: headers("text/html; charset=utf-8"), body: Data(page.description.utf8))
    }

    /// 401 with the login form and nothing else.
    static func unauthorized(wrong: Bool) -> HTTPResponse {
        var response = html(PageDocument.wrap(title: "scalectl: sign in", body: """
            <main><section><h2>scalectl</h2>\(wrong ? HTML("<p class=\"bad\">That token is not the one configured.</p>") : "")\
            <p>This address needs the token named by <code>[daemon] token_env</code> or <code>token_file</code>.</p>\
            <form method="post" action="/login"><input type="password" name="token" autocomplete="current-password" aria-label="token" required>\
            <button type="submit">Sign in</button></form></section></main>
            """), status: .unauthorized)
        response.headers[HTTPHeader("WWW-Authenticate")] = "Bearer realm=\"scalectl\""
        return response
    }

    /// After a good token: the session cookie, and back to the page.
    static func signedIn(session: String) -> HTTPResponse {
        var headers = headers("text/plain; charset=utf-8")
        headers[.location] = "/"
        headers[.setCookie] = "\(PageAccess.cookieName)=\(session); Path=/; HttpOnly; SameSite=Strict"
        return HTTPResponse(statusCode: .seeOther, headers: headers, body: Data())
    }
}
