import Foundation
import ScaleApp
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// `kind = "aws"`: its keys, the shipped profile, and refusals that name the key.
struct AWSConfigTests {
    static func config(_ provider: String) -> String {
        """
        [controller]
        fleet = "mihiluze"
        timezone = "UTC"

        [provider]
        \(provider)

        [roles.frontal]
        count = 2
        server_type = "t3.large"
        snapshot = { labels = "role=frontal" }
        load_balancer = "mihiluze-web"
        """
    }

    @Test func readsEveryKey() throws {
        let configuration = try ConfigLoader.parse(
            Self.config("""
                kind = "aws"
                region = "eu-west-1"
                endpoint = "http://127.0.0.1:5000"
                subnet_id = "subnet-0abc"
                security_group_ids = ["sg-1", "sg-2"]

                [provider.prices]
                "t3.large" = 0.0832
                "m5.xlarge" = 1
                """), file: "/tmp/scalectl.toml")
        guard case .aws(let aws) = configuration.provider else { Issue.record("not aws"); return }
        #expect(configuration.provider.kind == "aws")
        #expect(aws.region == "eu-west-1")
        #expect(aws.endpoint == URL(string: "http://127.0.0.1:5000"))
        #expect(aws.subnetID == "subnet-0abc")
        #expect(aws.securityGroupIDs == ["sg-1", "sg-2"])
        #expect(aws.prices == ["t3.large": 0.0832, "m5.xlarge": 1])
    }

    @Test func subnetIDsAreThePlacesNodesMayGo() throws {
        let configuration = try ConfigLoader.parse(
            Self.config("kind = \"aws\"\nsubnet_ids = [\"subnet-0a1\", \"subnet-0b2\"]"), file: "/tmp/scalectl.toml")
        guard case .aws(let aws) = configuration.provider else { Issue.record("not aws"); return }
        #expect(aws.subnetIDs == ["subnet-0a1", "subnet-0b2"] && aws.subnetID == nil)
        #expect(configuration.fleet.placements == ["subnet-0a1", "subnet-0b2"], "tried in this order, preferred first")
    }

    @Test func theShippedProfileLoads() throws {
        let configuration = try ConfigLoader.parse(
            Self.config("profile = \"\(TestTools.repositoryRoot)/providers/aws.toml\""), file: "/tmp/scalectl.toml")
        guard case .aws(let aws) = configuration.provider else { Issue.record("not aws"); return }
        #expect(aws.region == "us-east-1" && aws.endpoint == nil)
        #expect(aws.prices["t3.large"] == 0.0832)
    }

    @Test(arguments: [
        ("kind = \"aws\"\nregoin = \"eu-west-1\"", "scalectl.toml:7: provider.regoin: unknown key"),
        ("kind = \"aws\"\nendpoint = \"127.0.0.1:5000\"", "scalectl.toml:7: provider.endpoint: \"127.0.0.1:5000\" is not an http(s) URL"),
        ("kind = \"aws\"\nregion = \"EU West\"", "scalectl.toml:7: provider.region: \"EU West\" is not an AWS region"),
        ("kind = \"aws\"\nsecurity_group_ids = \"sg-1\"", "scalectl.toml:7: provider.security_group_ids: must be a list of strings"),
        ("kind = \"aws\"\n[provider.prices]\n\"t3.large\" = \"cheap\"", "scalectl.toml:8: provider.prices.t3.large: must be a number, not the string \"cheap\""),
        ("kind = \"aws\"\n[provider.prices]\n\"t3.large\" = -1.0", "provider.prices.t3.large: must be a price in USD per hour"),
        ("kind = \"aws\"\nsubnet_id = \"subnet-0a1\"\nsubnet_ids = [\"subnet-0a1\", \"subnet-0b2\"]",
         "scalectl.toml:8: provider.subnet_ids: give subnet_id or subnet_ids, not both"),
        ("kind = \"aws\"\nsubnet_ids = []", "provider.subnet_ids: must list at least one, preferred first"),
    ])
    func refusesBadKeys(_ provider: String, _ message: String) {
        #expect {
            _ = try ConfigLoader.parse(Self.config(provider), file: "scalectl.toml")
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
