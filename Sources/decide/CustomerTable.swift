import DecideStore
import DecideText

/// Prints customers as an aligned text table, one column per attribute.
enum CustomerTable {
    /// The rows of `batch` under a header of its field names; missing values print empty.
    static func render(_ batch: CustomerBatch) -> String {
        let rows = [batch.fieldNames] + batch.customers.map { $0.values.map(\.plainText) }
        let widths = batch.fieldNames.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.paddedRight(to: $1) }.joined(separator: "  ").trimmingSuffix(" ")
        }.joined(separator: "\n")
    }
}
