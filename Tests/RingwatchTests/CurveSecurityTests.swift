import Foundation
import Logging
import RingwatchCore
import RingwatchEngine
import RingwatchTesting
import Testing
import ZeroMQ

/// CURVE on every engine socket: listed clients get through, others see nothing.
@Suite("CURVE security on ingest, triggers and control", .serialized)
struct CurveSecurityTests {
    let base = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!

    struct Keys {
        let server: CurveKeyPair
        let listed: CurveKeyPair
        let unlisted: CurveKeyPair
    }

    func securedEngine(_ directory: TemporaryDirectory) throws -> (Engine, Keys) {
        let keys = Keys(server: try .generate(), listed: try .generate(), unlisted: try .generate())
        var configuration = EngineConfiguration.loopback(
            databasePath: directory.file("ringwatch.sqlite"), camerasPath: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv")
        configuration.hotlistPath = try directory.write("hotlist.csv", "plate,category,severity,reason,expires\n1ABC123,stolen_vehicle,critical,Stolen,\n")
        configuration.security.curve = true
        configuration.security.serverSecretKeyPath = try directory.write("server.key", keys.server.secretKey + "\n")
        let allowList = try directory.write("clients.allow", "# dispatch rooms\n\(keys.listed.publicKey)  dispatch room 1\n")
        configuration.security.ingestClientsPath = allowList
        configuration.security.triggersClientsPath = allowList
        configuration.security.controlClientsPath = allowList
        let engine = try Engine(configuration: configuration, logger: Logger(label: "test"))
        engine.start()
        return (engine, keys)
    }

    func socket(_ context: Context, _ kind: Socket.Kind, server: CurveKeyPair, as client: CurveKeyPair?) throws -> Socket {
        let socket = try Socket(context, kind)
        try socket.setLinger(milliseconds: 0)
        if let client { try socket.makeCurveClient(serverKey: server.publicKey, keys: client) }
        return socket
    }

    func read(_ index: Int, plate: String = "1XYZ789") -> [String] {
        ["read.R1.R1-02", ReadMessages.body(camera: "R1-02", ts: base.adding(seconds: Int64(index)), plate: plate, id: "curve-\(index)-\(plate)")]
    }

    @Test func onlyListedClientsCanPublishReadsSubscribeToTriggersAndSendControlOps() throws {
        let directory = TemporaryDirectory()
        let (engine, keys) = try securedEngine(directory)
        defer { engine.stop() }
        let context = try Context()

        // Strangers, with CURVE and a wrong key or without CURVE, publish for a second: nothing gets in.
        let stranger = try socket(context, .publisher, server: keys.server, as: keys.unlisted)
        try stranger.connect(engine.ingestEndpoint)
        let plain = try socket(context, .publisher, server: keys.server, as: nil)
        try plain.connect(engine.ingestEndpoint)
        let eavesdropper = try socket(context, .subscriber, server: keys.server, as: keys.unlisted)
        try eavesdropper.subscribe("trigger.")
        try eavesdropper.connect(engine.triggerEndpoint)
        for index in 0..<20 {
            try stranger.send(read(index, plate: "1ABC123"))
            try plain.send(read(index + 100, plate: "1ABC123"))
            usleep(50_000)
        }
        #expect(engine.counters.received.load(ordering: .relaxed) == 0)

        // The listed client publishes and subscribes.
        let listener = try socket(context, .subscriber, server: keys.server, as: keys.listed)
        try listener.subscribe("trigger.")
        try listener.connect(engine.triggerEndpoint)
        let camera = try socket(context, .publisher, server: keys.server, as: keys.listed)
        try camera.connect(engine.ingestEndpoint)
        var probes = 0
        while engine.counters.received.load(ordering: .relaxed) == 0 && probes < 400 {
            try camera.send(read(1000 + probes))
            probes += 1
            usleep(10_000)
        }
        #expect(engine.counters.received.load(ordering: .relaxed) > 0, "a listed camera got no read in")
        usleep(200_000)  // let the listed subscriber's subscription arrive too
        try camera.send(read(5000, plate: "1ABC123"))
        #expect(try listener.waitForInput(milliseconds: 5000), "the listed subscriber got no trigger")
        #expect(try listener.receiveStrings()?.first == "trigger.hotlist.critical")
        #expect(try !eavesdropper.waitForInput(milliseconds: 500), "an unlisted subscriber read a trigger")

        // Control: the listed operator is answered, the stranger is not.
        let operatorSocket = try socket(context, .request, server: keys.server, as: keys.listed)
        try operatorSocket.setReceiveTimeout(milliseconds: 5000)
        try operatorSocket.connect(engine.controlEndpoint)
        try operatorSocket.send(["{\"op\":\"status\"}"])
        #expect(try operatorSocket.receiveStrings()?.first?.contains("\"ok\":true") == true)
        let intruder = try socket(context, .request, server: keys.server, as: keys.unlisted)
        try intruder.setReceiveTimeout(milliseconds: 1000)
        try intruder.connect(engine.controlEndpoint)
        try intruder.send(["{\"op\":\"hotlist.remove\",\"plate\":\"1ABC123\"}"])
        #expect(try intruder.receiveStrings() == nil, "an unlisted client was answered")
    }

    @Test func keygenWritesASecretOnlyItsOwnerCanReadAndAPublicKey() throws {
        let directory = TemporaryDirectory()
        let result = try RingwatchProcess.run(["keygen", "--out", directory.file("keys/dispatch")])
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try String(contentsOfFile: directory.file("keys/dispatch.key"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let publicKey = try String(contentsOfFile: directory.file("keys/dispatch.pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CurveKeyPair(secretKey: secret).publicKey == publicKey)
        let mode = (try FileManager.default.attributesOfItem(atPath: directory.file("keys/dispatch.key"))[.posixPermissions] as? NSNumber)?.intValue ?? -1
        #expect(mode & 0o077 == 0)
        let again = try RingwatchProcess.run(["keygen", "--out", directory.file("keys/dispatch")])
        #expect(again.status == 2, "an existing key was overwritten without --force")
    }

    @Test func aSecuredEngineRefusesToStartWithoutItsKey() throws {
        let directory = TemporaryDirectory()
        var configuration = EngineConfiguration.loopback(
            databasePath: directory.file("ringwatch.sqlite"), camerasPath: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv")
        configuration.security.curve = true
        #expect(throws: EngineConfiguration.Problem.self) { try Engine(configuration: configuration, logger: Logger(label: "test")) }
    }
}
