import Foundation
import TestSupport

/// A fresh temporary folder holding `files` (name → bytes), for readers to read back.
func temporaryFolder(_ files: [String: Data]) throws -> URL {
    let folder = try ProcessRunner.temporaryDirectory("ringmaster-datasets")
    for (name, contents) in files {
        try contents.write(to: folder.appendingPathComponent(name))
    }
    return folder
}

/// The path of a fresh temporary file named `name` holding `text`.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    try temporaryFolder([name: Data(text.utf8)]).appendingPathComponent(name).path
}
