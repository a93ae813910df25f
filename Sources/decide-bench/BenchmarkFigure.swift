/// One measured figure of a benchmark, such as "CSV import: 412000 rows/s".
struct BenchmarkFigure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What was measured.
    var name: String
    /// The measured value.
    var value: Double
    /// The unit of `value`.
    var unit: String

    /// `name: value unit`.
    var description: String {
        "\(name): \(value.rounded()) \(unit)"
    }
}
