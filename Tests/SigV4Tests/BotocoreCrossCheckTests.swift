import Foundation
import ScaleSigV4
import ScaleTesting
import Testing

/// Signs the kinds of request the AWS provider sends with botocore's own signer
/// (`Tests/Fakes/sigv4_botocore.py`, from the test virtual environment) and expects the same headers.
struct BotocoreCrossCheckTests {
    struct Case: Encodable {
        var method: String
        var url: String
        var headers: [String: String]
        var body: String
        var access_key = "AKIDEXAMPLE"
        var secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        var token: String?
        var region: String
        var service: String
        var timestamp = "20261123T193000Z"
    }

    static let form = ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"]
    static let date = Date(timeIntervalSince1970: 1_795_462_200)  // 2026-11-23T19:30:00Z

    static let cases: [Case] = [
        // An EC2 listing to moto: a port in the Host header, and temporary credentials.
        Case(
            method: "POST", url: "http://127.0.0.1:5123/", headers: form,
            body: "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Ascalectl-fleet&Filter.1.Value.1=mihiluze&MaxResults=500",
            token: "FQoGZXIvYXdzEXAMPLE//session+token=", region: "eu-west-1", service: "ec2"),
        // A target group registration to AWS itself.
        Case(
            method: "POST", url: "https://elasticloadbalancing.us-east-1.amazonaws.com/", headers: form,
            body: "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn=arn%3Aaws%3Aelasticloadbalancing%3Aus-east-1%3A123456789012%3Atargetgroup%2Fweb%2F6d0ecf831eec9f09&Targets.member.1.Id=i-0123456789abcdef0",
            region: "us-east-1", service: "elasticloadbalancing"),
        // Tags with spaces and non-ASCII values, and a query string.
        Case(
            method: "POST", url: "https://ec2.eu-west-1.amazonaws.com/?Param2=b%20c&Param1=%C3%A9", headers: form,
            body: "Action=RunInstances&TagSpecification.1.Tag.1.Value=caf%C3%A9%20show", region: "eu-west-1", service: "ec2"),
    ]

    @Test func swiftSignerAgreesWithBotocore() async throws {
        let output = try await TestPython.run("sigv4_botocore.py", [], input: try JSONEncoder().encode(Self.cases))
        let expected = try JSONDecoder().decode([[String: String]].self, from: output)
        #expect(expected.count == Self.cases.count)
        for (item, botocore) in zip(Self.cases, expected) {
            let signer = SigV4Signer(
                credentials: .init(accessKeyID: item.access_key, secretAccessKey: item.secret_key, sessionToken: item.token),
                region: item.region, service: item.service)
            let request = SigV4Signer.Request(method: item.method, url: URL(string: item.url)!, headers: item.headers, body: Data(item.body.utf8))
            let ours = signer.sign(request, at: Self.date)
            #expect(ours["X-Amz-Date"] == botocore["X-Amz-Date"], "\(item.url)")
            #expect(ours["X-Amz-Security-Token"] == botocore["X-Amz-Security-Token"], "\(item.url)")
            #expect(ours["Authorization"] == botocore["Authorization"], "\(item.url) \(item.body)")
            #expect(ours["Authorization"]?.isEmpty == false)
        }
    }
}
