import ArgumentParser
import DecideStore
import Foundation

/// Standard input as a file argument (`-`).
enum StandardInput {
    /// Copies standard input, whatever its size, to a new file in a private temporary folder and returns the file;
    /// the caller removes the folder.
    ///
    /// - Throws: ``CommandFailure/InvalidInput`` when the spool cannot be written.
    static func spool() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("decide-stdin-\(UUID().uuidString)")
        let file = folder.appendingPathComponent("stdin")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw CommandFailure.InvalidInput("cannot spool standard input to \(file.path)")
            }
            let sink = try FileHandle(forWritingTo: file)
            defer { try? sink.close() }
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                try sink.write(contentsOf: chunk)
            }
        } catch let error as CommandFailure.InvalidInput {
            throw error
        } catch {
            throw CommandFailure.InvalidInput("cannot spool standard input: \(error.localizedDescription)")
        }
        return file
    }
}

extension ImportFormat: ExpressibleByArgument {}
