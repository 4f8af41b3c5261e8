import Logging
import ServiceLifecycle

/// Runs an `Engine` under swift-service-lifecycle: starts it, waits for graceful shutdown
/// (SIGINT/SIGTERM through the `ServiceGroup`), then stops it and reports how it went.
public struct EngineService: Service {
    let engine: Engine
    let logger: Logger

    public init(engine: Engine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public func run() async throws {
        engine.start()
        try? await gracefulShutdown()
        logger.info("stopping: finishing received reads and writing history")
        if let failure = engine.stop() {
            throw EngineConfiguration.Problem("history could not be written completely: \(failure)")
        }
        logger.info("stopped", metadata: ["reads_stored": "\(engine.storedReads)"])
    }
}
