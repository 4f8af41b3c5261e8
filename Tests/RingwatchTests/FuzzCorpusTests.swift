import Foundation
import RingwatchCore
import RingwatchIngest
import RingwatchTesting
import Testing

/// Replays the fuzz corpus (Fixtures/fuzz, grown by scripts/fuzz.sh) through both network
/// decoders on every test run, so an input that once crashed or confused them stays covered.
@Suite("Fuzz corpus replay", .serialized)
struct FuzzCorpusTests {
    static func corpus(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = RingwatchProcess.packageRoot + "/Fixtures/fuzz/" + target
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
        }
    }

    @Test func everyReadInputIsAcceptedOrRejectedWithAReason() throws {
        let inputs = try Self.corpus("read")
        #expect(inputs.count >= 20)
        let decoder = ReadDecoder()
        var outcomes: [String: String] = [:]
        for input in inputs {
            switch decoder.decode(input.bytes) {
            case .success(let decoded):
                #expect(!decoded.read.plate.text.isEmpty, "\(input.name)")
                outcomes[input.name] = "accepted"
            case .failure(let rejection):
                #expect(!rejection.detail.isEmpty, "\(input.name)")
                outcomes[input.name] = rejection.reason.rawValue
            }
        }
        // The seeds whose outcome is known keep it.
        #expect(outcomes["valid-minimal"] == "accepted")
        #expect(outcomes["valid-full"] == "accepted")
        #expect(outcomes["unicode-escapes"] == "accepted")
        #expect(outcomes["invalid-utf8"] == "invalid_utf8")
        #expect(outcomes["not-object"] == "not_object")
        #expect(outcomes["truncated"] == "not_json")
        #expect(outcomes["trailing-garbage"] == "not_json")
        #expect(outcomes["empty"] == "not_json")
        #expect(outcomes["plate-symbols"] == "invalid_plate")
        #expect(outcomes["bad-ts"] == "invalid_timestamp")
        #expect(outcomes["types-wrong"] == "malformed_field")
    }

    @Test func everyControlInputGetsAnAnswerAndTheEngineCarriesOn() throws {
        let rig = try LoopbackEngine()
        defer { rig.engine.stop() }
        let inputs = try Self.corpus("control")
        #expect(inputs.count >= 15)
        for input in inputs {
            let reply = rig.engine.handleControlRequest(input.bytes)
            guard case .object(let fields) = reply else {
                Issue.record("\(input.name): reply is not an object")
                continue
            }
            let ok = fields.first { $0.0 == "ok" }?.1
            #expect(ok != nil, "\(input.name): reply without ok")
            if ok == .bool(false) {
                guard case .string(let error)? = fields.first(where: { $0.0 == "error" })?.1 else {
                    Issue.record("\(input.name): failed reply without an error sentence")
                    continue
                }
                #expect(!error.isEmpty, "\(input.name)")
            }
        }
        // Still answering, over the real socket too.
        let status = try rig.control("{\"op\":\"status\"}")
        #expect(status["ok"] as? Bool == true)
    }
}
