import Foundation
import Testing
import ZeroMQ

@Suite("ZeroMQ wrapper over real libzmq sockets")
struct ZeroMQTests {
    @Test func publishSubscribeCarriesMultipartMessagesFilteredByTopicPrefix() throws {
        let context = try Context()
        let publisher = try Socket(context, .publisher)
        try publisher.bind("tcp://127.0.0.1:*")
        let subscriber = try Socket(context, .subscriber)
        try subscriber.subscribe("read.")
        try subscriber.connect(try publisher.lastEndpoint)

        // PUB/SUB joins asynchronously: send until the subscriber sees the first message.
        var received: [String]?
        for _ in 0..<200 where received == nil {
            try publisher.send(["read.R1.R1-01", "{\"n\":1}"])
            try publisher.send(["other.topic", "ignored"])
            if try subscriber.waitForInput(milliseconds: 20) { received = try subscriber.receiveStrings() }
        }
        #expect(received == ["read.R1.R1-01", "{\"n\":1}"])
        // Nothing but read.* ever arrives.
        while try subscriber.waitForInput(milliseconds: 50) {
            let next = try #require(try subscriber.receiveStrings())
            #expect(next.first?.hasPrefix("read.") == true)
        }
    }

    @Test func requestReplyRoundTripAndZeroCopyReceiveSeesEveryFrame() throws {
        let context = try Context()
        let server = try Socket(context, .reply)
        try server.bind("tcp://127.0.0.1:*")
        let client = try Socket(context, .request)
        try client.connect(try server.lastEndpoint)
        try client.send(["a", "bb", "ccc"])
        let sizes = try server.receive { message in message.frames.map(\.count) }
        #expect(sizes == [1, 2, 3])
        try server.send(["ok"])
        #expect(try client.receiveStrings() == ["ok"])
    }

    @Test func receiveKeepsAtMostTheAskedFramesButReportsTheTotal() throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(context, .push)
        try push.connect(try pull.lastEndpoint)
        try push.send(["1", "2", "3", "4"])
        let seen = try pull.receive(maximumFrames: 2) { ($0.frames.count, $0.totalFrames) }
        #expect(seen?.0 == 2)
        #expect(seen?.1 == 4)
    }

    @Test func nonBlockingReceiveOnAnEmptySocketReturnsNil() throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.bind("tcp://127.0.0.1:*")
        #expect(try pull.receiveFrames(dontWait: true) == nil)
        #expect(try pull.waitForInput(milliseconds: 10) == false)
    }

    @Test func errorsCarryTheOperationAndLibzmqText() throws {
        let context = try Context()
        let first = try Socket(context, .publisher)
        try first.bind("tcp://127.0.0.1:*")
        let endpoint = try first.lastEndpoint
        let second = try Socket(context, .publisher)
        let error = #expect(throws: ZMQError.self) { try second.bind(endpoint) }
        #expect(error?.description.contains("bind \(endpoint)") == true)
        #expect(error?.message.lowercased().contains("address") == true)
        #expect(throws: ZMQError.self) { try second.bind("nonsense://x") }
    }

    @Test func libraryReportsVersionAndCurve() {
        #expect(Context.libraryVersion.split(separator: ".").count == 3)
        #expect(Context.hasCurve)
    }
}
