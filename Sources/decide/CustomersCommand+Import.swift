import ArgumentParser
import DecideStore
import DecideText
import Foundation

extension CustomersCommand {
    /// `decide customers import FILE`: CSV with a header row, or JSON Lines (`.jsonl`); `-` reads standard input.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import customers from a CSV file with a header row or a JSON Lines (.jsonl) file.",
            discussion: """
                The import is all or nothing: a malformed row stops it with the file, line and column named, and \
                the store is left as it was. Existing ids are updated unless --replace is given. FILE - reads \
                standard input (CSV unless --format jsonl), of any size.
                """
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var importOptions: ImportOptionGroup

        @Argument(help: "The CSV or .jsonl file, or - for standard input.")
        var file: String

        @Option(help: "csv or jsonl (default: from the file's extension; csv for standard input).")
        var format: ImportFormat?

        @Option(help: "Column types that override inference, as name:type,... (integer, real, text, boolean).")
        var schema: String?

        @Flag(help: "Report each invalid row on standard error and import the others.")
        var skipInvalid = false

        func run() async throws {
            let types = try schema.map(ImportOptions.parseSchema) ?? [:]
            let options = ImportOptions(schema: types, skipInvalid: skipInvalid) { error in
                var standardError = StandardError()
                print("decide: skipped: \(error)", to: &standardError)
            }
            guard file == "-" else {
                return try await importOptions.run(.file(URL(fileURLWithPath: file), format: format), store: store, options: options)
            }
            // The importer reads its source twice (types, then rows): standard input is spooled to a file first.
            let spooled = try StandardInput.spool()
            defer { try? FileManager.default.removeItem(at: spooled.deletingLastPathComponent()) }
            try await importOptions.run(.file(spooled, format: format ?? .csv), store: store, options: options)
        }
    }
}
