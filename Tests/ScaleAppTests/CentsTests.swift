@testable import ScaleApp
import Testing

/// Money rounded once: the parts' cents add up to the total's.
struct CentsTests {
    @Test(arguments: [
        ([0.1266, 0.158], 28, [12, 16]),  // alone: 13 + 16 = 29 beside 28
        ([0.2532, 0.316], 57, [25, 32]),
        ([0.3333, 0.3333, 0.3334], 100, [33, 33, 34]),
        ([0.005, 0.005], 1, [1, 0]),
        ([0, 0], 0, [0, 0]),
    ])
    func partsAddUpToTheTotal(values: [Double], total: Int, expected: [Int]) {
        let parts = Cents.apportion(values, total: total)
        #expect(parts == expected)
        #expect(parts.compactMap { $0 }.reduce(0, +) == total)
        for (part, value) in zip(parts, values) {
            #expect(abs(Double(part!) - value * 100) < 1, "each part is within a cent of its own amount")
        }
    }

    @Test func unknownPartsStayUnknown() {
        #expect(Cents.apportion([0.1266, nil, 0.158], total: 28) == [12, nil, 16])
        #expect(Cents.sum([0.1266, nil, 0.158]) == 29)
    }
}
