import Foundation
import ScaleApp
import ScaleTesting
import Testing

/// `[alerts.email] ca_file` and `require_tls`: a relative CA file is found next to the configuration,
/// a missing one is refused naming the key and the path.
struct EmailTLSConfigTests {
    static func config(_ extra: String) -> String {
        AlertsConfigTests.good.replacingOccurrences(of: "password_env = \"SMTP_PASSWORD\"", with: "password_env = \"SMTP_PASSWORD\"\n" + extra)
    }

    @Test func readsTheCAFileBesideTheConfiguration() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca = try directory.write("relay-ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let file = try directory.write("scalectl.toml", Self.config("ca_file = \"relay-ca.pem\"\nrequire_tls = true"))
        let email = try #require(try ConfigLoader.load(path: file).alerts.email)
        #expect(email.caFile == ca)
        #expect(email.requireTLS)
    }

    @Test func aMissingCAFileIsRefusedNamingIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("scalectl.toml", Self.config("ca_file = \"certs/none.pem\""))
        #expect {
            try ConfigLoader.load(path: file)
        } throws: { error in
            let text = "\(error)"
            return text.contains("alerts.email.ca_file: cannot read \(directory.file("certs/none.pem"))") && text.contains("scalectl.toml:")
        }
    }
}
