import Foundation
import ScaleProviders

extension ConfigLoader {
    /// `kind = "aws"`: region, endpoint, subnet_id, security_group_ids and `[prices]`.
    static func awsSettings(_ table: TOMLReader) throws -> AWSSettings {
        var settings = AWSSettings()
        settings.region = try table.string("region")
        if let region = settings.region, region.isEmpty || !region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            throw table.error("region", "\"\(region)\" is not an AWS region such as eu-west-1")
        }
        if let text = try table.string("endpoint") {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw table.error("endpoint", "\"\(text)\" is not an http(s) URL such as http://127.0.0.1:5000")
            }
            settings.endpoint = url
        }
        settings.subnetID = try table.string("subnet_id")
        settings.subnetIDs = try placements(table, plural: "subnet_ids", singular: "subnet_id", example: "subnet_ids = [\"subnet-0a1\", \"subnet-0b2\"]")
        settings.securityGroupIDs = try table.strings("security_group_ids") ?? []
        if let prices = try table.table("prices") {
            for type in prices.keys {
                guard let price = try prices.number(type), price >= 0 else {
                    throw prices.error(type, "must be a price in USD per hour of 0 or more, such as \"\(type)\" = 0.0832")
                }
                settings.prices[type] = price
            }
            try prices.finish()
        }
        return settings
    }
}
