import Foundation

/// Writes files so that a reader sees either the old contents or the new ones,
/// never a torn mix: write to a temporary sibling, fsync it, rename over the target,
/// then fsync the directory so the rename survives a crash.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: temporary.path, call: "open", code: errno) }
        var failure: AtomicFileError?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = AtomicFileError(path: temporary.path, call: "write", code: errno)
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 {
            failure = AtomicFileError(path: temporary.path, call: "fsync", code: errno)
        }
        close(fd)
        if let failure {
            unlink(temporary.path)
            throw failure
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw AtomicFileError(path: url.path, call: "rename", code: code)
        }
        let dirFD = open(directory.path, O_RDONLY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}

/// A system call failed while writing a file atomically.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var call: String
    public var code: Int32
    public var description: String { "cannot write \(path): \(call) failed: \(String(cString: strerror(code)))" }
}
