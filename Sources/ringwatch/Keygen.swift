import ArgumentParser
import Foundation
import ZeroMQ

/// `ringwatch keygen`: makes a CURVE key pair for the engine or for one of its clients.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub (public).",
        discussion: """
            The engine's pair goes in [security] server_secret_key; each client's NAME.pub line goes in the
            allow-list of the sockets it may use. Clients (the CLI, the simulator) use RINGWATCH_SERVER_KEY=<server .pub>
            and RINGWATCH_CLIENT_KEY=<their .key>.
            """)

    @Option(name: .long, help: "Path and name without extension, e.g. keys/dispatch-room-1.")
    var out: String

    @Flag(name: .long, help: "Overwrite existing key files.")
    var force = false

    func run() throws {
        guard Context.hasCurve else { throw RuntimeError("this libzmq has no CURVE support; install libzmq built with libsodium") }
        let secretPath = out + ".key", publicPath = out + ".pub"
        if !force, FileManager.default.fileExists(atPath: secretPath) || FileManager.default.fileExists(atPath: publicPath) {
            throw UsageError("\(secretPath) or \(publicPath) exists; pick another --out or add --force")
        }
        let keys = try CurveKeyPair.generate()
        let directory = (out as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: secretPath, contents: Data((keys.secretKey + "\n").utf8), attributes: [.posixPermissions: 0o600]),
              FileManager.default.createFile(atPath: publicPath, contents: Data((keys.publicKey + "\n").utf8))
        else { throw RuntimeError("cannot write \(secretPath) or \(publicPath): check the directory's permissions") }
        emit("\(publicPath): \(keys.publicKey)\n\(secretPath): secret key (keep it on this machine only)\n")
    }
}

/// CURVE for the command line's own sockets, from the environment: `RINGWATCH_SERVER_KEY` names
/// the engine's public key file and `RINGWATCH_CLIENT_KEY` this client's secret key file.
enum ClientSecurity {
    static func apply(to socket: Socket) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let serverPath = environment["RINGWATCH_SERVER_KEY"], !serverPath.isEmpty else { return }
        guard let clientPath = environment["RINGWATCH_CLIENT_KEY"], !clientPath.isEmpty else {
            throw UsageError("RINGWATCH_SERVER_KEY is set but RINGWATCH_CLIENT_KEY is not; point it at this client's .key file")
        }
        func key(_ path: String) throws -> String {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw UsageError("cannot read key file \(path)") }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let serverKey = try key(serverPath)
        guard CurveKeyPair.isZ85Key(serverKey) else { throw UsageError("\(serverPath) does not hold a CURVE public key") }
        guard let keys = try? CurveKeyPair(secretKey: try key(clientPath)) else {
            throw UsageError("\(clientPath) does not hold a CURVE secret key; make one with 'ringwatch keygen'")
        }
        try socket.makeCurveClient(serverKey: serverKey, keys: keys)
    }
}
