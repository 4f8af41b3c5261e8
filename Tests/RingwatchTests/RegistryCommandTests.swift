import Foundation
import RingwatchCore
import RingwatchTesting
import Testing

/// `ringwatch serve --registry` and `ringwatch registry reload/status`, as an operator runs them.
@Suite("ringwatch registry commands", .serialized)
struct RegistryCommandTests {
    @Test func serveLoadsTheRegistryAndTheCommandsReloadAndReportIt() throws {
        let daemon = try EndToEndTests.Daemon(hotlist: "plate,category,severity,reason,expires\n", extraArguments: ["--registry", "Fixtures/registry.csv"])
        let control = daemon.control
        let status = try RingwatchProcess.run(["registry", "status", "--control", control, "--format", "jsonl"], timeout: 10)
        #expect(status.status == 0, "\(status.stderr)")
        let before = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(before?["vehicles"] as? Int == 61)
        #expect(before?["path"] as? String == "Fixtures/registry.csv")

        let replacement = try daemon.directory.write(
            "div.csv", "plate,make,model,color,vehicle_type\n1ABC123,VW,Golf,grey,car\n1-DEF-456,Opel,Corsa,red,car\n??,x,y,z,car\n")
        let reload = try RingwatchProcess.run(["registry", "reload", "--path", replacement, "--control", control], timeout: 60)
        #expect(reload.status == 0, "\(reload.stderr)")
        #expect(reload.stdout.contains("vehicles"))
        #expect(reload.stdout.contains("line 4:"))
        let after = try RingwatchProcess.run(["registry", "status", "--control", control, "--format", "jsonl"], timeout: 10)
        #expect((try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])?["vehicles"] as? Int == 2)

        let refused = try RingwatchProcess.run(
            ["registry", "reload", "--path", daemon.directory.file("missing.csv"), "--control", control], timeout: 60)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("missing.csv"))
        #expect(refused.stderr.split(separator: "\n").count == 1)

        let exit = daemon.stop()
        #expect(exit.status == 0, "\(exit.stderr)")
        #expect(exit.stderr.contains("Fixtures/registry.csv: loaded 61 lines, skipped 0"))
        #expect(exit.stderr.contains("vehicle-makes.csv: loaded"))
        #expect(exit.stderr.contains("vehicle registry reloaded"))
        for plate in ["1ABC123", "1DEF456", "1QZX417"] { #expect(!exit.stderr.contains(plate), "a plate appeared in the log") }
    }
}
