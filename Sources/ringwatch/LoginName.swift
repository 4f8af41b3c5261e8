import Foundation

/// Who is running this command, for the audit log and the hotlist/watch/ack records when
/// `--user` is not given: the login name of the session (`getlogin`, which survives `sudo`),
/// else `LOGNAME`/`USER`, else the account the process runs as. Never "unknown" on a machine
/// where the process has a uid: a service account is still an answer the officer can follow up.
enum LoginName {
    static var current: String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let read = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { getlogin_r($0, bytes.count) }
        }
        if read == 0, let name = nonEmpty(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)) { return name }
        let environment = ProcessInfo.processInfo.environment
        if let name = environment["LOGNAME"].flatMap(nonEmpty) ?? environment["USER"].flatMap(nonEmpty) { return name }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name.map({ String(cString: $0) }).flatMap(nonEmpty) {
            return name
        }
        return "uid \(geteuid())"
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}
