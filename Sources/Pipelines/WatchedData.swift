import Crypto
import Foundation
import RingmasterCore

/// The data files of a pipeline's `triggers.watch` directory: listing, counting rows, and
/// appending them to a base CSV file for `import-data` with `include_watched: true`.
enum WatchedData {
    /// Regular files in `directory` whose names match the shell `pattern`, by name.
    static func files(in directory: URL, pattern: String) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { fnmatch(pattern, $0, 0) == 0 && !$0.hasPrefix(".") }.sorted().map {
            directory.appendingPathComponent($0)
        }.filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// Data rows of a CSV file: its non-empty lines after the header.
    static func rows(_ file: URL) throws -> Int {
        let text = try String(contentsOf: file, encoding: .utf8)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return max(0, lines.count - 1)
    }

    /// `base` followed by the data rows of `extra`, written under `folder` as
    /// `data-SHA.csv` (named by content, so the same data always has the same path). Every
    /// extra file must have `base`'s header.
    static func combine(base: URL, extra: [URL], in folder: URL) throws -> URL {
        guard let baseText = try? String(contentsOf: base, encoding: .utf8) else {
            throw PipelineStepError(message: "\(base.path): cannot read the file")
        }
        let header = Self.header(baseText)
        var combined = baseText.hasSuffix("\n") ? baseText : baseText + "\n"
        for file in extra {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw PipelineStepError(message: "\(file.path): cannot read the file")
            }
            guard Self.header(text) == header else {
                throw PipelineStepError(message: "\(file.path): header differs from \(base.lastPathComponent)'s; new data must have the same columns")
            }
            var body = text.drop { $0 != "\n" }.dropFirst()
            while body.hasPrefix("\n") { body = body.dropFirst() }
            guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            combined += body
            if !combined.hasSuffix("\n") { combined += "\n" }
        }
        let digest = SHA256.hash(data: Data(combined.utf8)).hexString
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("data-\(digest.prefix(16)).csv")
        if !FileManager.default.fileExists(atPath: url.path) {
            try Data(combined.utf8).write(to: url, options: .atomic)
        }
        return url
    }

    private static func header(_ text: String) -> String {
        String(text.prefix { $0 != "\n" }).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
