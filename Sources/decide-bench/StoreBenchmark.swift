import DecideStore
import Foundation

/// Benchmarks of the SQLite customer store: generating an audience, importing it from CSV and streaming it back
/// as the run engine does, in a temporary directory that is removed afterwards.
struct StoreBenchmark {
    /// Runs the store benchmarks on an audience of `customers`.
    static func run(customers: Int) async throws -> [BenchmarkFigure] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decide-store-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var figures: [BenchmarkFigure] = []

        let generated = try SQLiteCustomerStore(path: directory.appendingPathComponent("generated.sqlite").path)
        let generation = try Measure.seconds { _ = try generated.importCustomers(from: .generated(count: customers, seed: 1), options: ImportOptions()) }
        figures.append(BenchmarkFigure(name: "generate \(customers) customers", value: Double(customers) / generation, unit: "customers/s"))

        let csv = directory.appendingPathComponent("customers.csv")
        try await writeCSV(of: generated, to: csv)

        let imported = try SQLiteCustomerStore(path: directory.appendingPathComponent("imported.sqlite").path)
        let importing = try Measure.seconds { _ = try imported.importCustomers(from: .file(csv), options: ImportOptions()) }
        figures.append(BenchmarkFigure(name: "import \(customers) customers from CSV", value: Double(customers) / importing, unit: "rows/s"))

        var streamed = 0
        let streaming = try await Measure.seconds {
            var cursor = try imported.customerBatches(.named("all"), batchSize: 1000)
            while let batch = try await cursor.next() { streamed += batch.customers.count }
        }
        figures.append(BenchmarkFigure(name: "stream \(streamed) customers", value: Double(streamed) / streaming, unit: "customers/s"))

        let filtered = try Measure.seconds { _ = try imported.count(.expression(#"age >= 30 and region in ("north", "west") and not has_loan"#)) }
        figures.append(BenchmarkFigure(name: "count a filtered segment", value: filtered * 1000, unit: "ms"))

        if let peak = Measure.peakResidentMiB() {
            figures.append(BenchmarkFigure(name: "peak resident memory", value: peak, unit: "MiB"))
        }
        return figures
    }

    /// Writes every customer of `store` to `url` as CSV with a header row, quoting text where needed.
    private static func writeCSV(of store: some CustomerStore, to url: URL) async throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var cursor = try await store.customerBatches(.named("all"), batchSize: 10_000)
        var header = true
        while let batch = try await cursor.next() {
            var text = header ? batch.fieldNames.joined(separator: ",") + "\n" : ""
            header = false
            for customer in batch.customers {
                text += customer.values.map { value in
                    let plain = value.plainText
                    return plain.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                        ? "\"" + plain.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : plain
                }.joined(separator: ",") + "\n"
            }
            try handle.write(contentsOf: Data(text.utf8))
        }
    }
}
