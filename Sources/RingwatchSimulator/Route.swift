/// A vehicle's way through the rings, as a few numbers from which the path follows: the camera
/// where it enters, the innermost ring it drives to, and a seed that decides how far it moves
/// along each ring and which radial road it takes out. The same route is the same path, so a
/// commuter drives the same cameras every day without the path being stored.
struct Route: Sendable, Equatable {
    /// The first camera.
    var entry: Int
    /// The innermost level it reaches (it may stay on the entry ring).
    var target: Int
    /// Decides ring moves and radial choices.
    var seed: UInt64
    /// Through traffic: at least two moves along the target ring, then straight out.
    var through = false

    /// Steps along the ring on `level` on the way in (negative: the other way round).
    func inboundMoves(onLevel level: Int, _ network: RoadNetwork) -> Int {
        let size = network.rings[level].count
        guard size > 1 else { return 0 }
        let draw = SplitMix64.key(seed: seed, stream: .network, UInt64(level), 0)
        if through && level == target {
            let steps = 2 + Int(draw % 4)
            return min(steps, size - 1) * (draw & 0x100 == 0 ? 1 : -1)
        }
        return Route.clamp(Route.moves(draw), size)
    }

    /// Steps along the ring on `level` on the way out.
    static func outboundMoves(onLevel level: Int, seed: UInt64, _ network: RoadNetwork) -> Int {
        let size = network.rings[level].count
        guard size > 1 else { return 0 }
        return clamp(moves(SplitMix64.key(seed: seed, stream: .network, UInt64(level), 1)), size)
    }

    /// Which radial road out of `camera` the route takes.
    static func outwardChoice(from camera: Int, seed: UInt64, _ network: RoadNetwork) -> Int {
        let options = network.outward[camera]
        return options[Int(SplitMix64.key(seed: seed, stream: .network, UInt64(camera), 2) % UInt64(options.count))]
    }

    /// Mostly straight on; sometimes one to three cameras along the ring either way.
    private static func moves(_ draw: UInt64) -> Int {
        switch draw % 100 {
        case 0..<62: 0
        case 62..<74: 1
        case 74..<86: -1
        case 86..<91: 2
        case 91..<96: -2
        case 96..<98: 3
        default: -3
        }
    }

    private static func clamp(_ moves: Int, _ size: Int) -> Int {
        let limit = max(0, (size - 1) / 2)
        return max(-limit, min(limit, moves))
    }

    /// The cameras passed on the way in, entry first.
    func inboundPath(_ network: RoadNetwork) -> [Int] {
        var path = [entry]
        var camera = entry
        while true {
            let moves = inboundMoves(onLevel: network.level[camera], network)
            for _ in 0..<abs(moves) {
                camera = network.ringNeighbour(of: camera, steps: moves > 0 ? 1 : -1)
                path.append(camera)
            }
            guard network.level[camera] > target else { return path }
            camera = network.inward[camera]
            path.append(camera)
        }
    }

    /// Free-flow seconds from the entry to the end of the way in (the same legs `Journey` drives).
    func inboundSeconds(_ network: RoadNetwork) -> Double {
        var seconds = 0.0
        var camera = entry
        while true {
            let moves = inboundMoves(onLevel: network.level[camera], network)
            for _ in 0..<abs(moves) {
                seconds += network.ringStepSeconds(from: camera, clockwise: moves > 0)
                camera = network.ringNeighbour(of: camera, steps: moves > 0 ? 1 : -1)
            }
            guard network.level[camera] > target else { return seconds }
            seconds += network.inwardSeconds[camera]
            camera = network.inward[camera]
        }
    }

    /// Where the way in ends.
    func destination(_ network: RoadNetwork) -> Int { inboundPath(network).last ?? entry }

    /// Free-flow seconds of the way out from `start` (the same legs `Journey` drives).
    static func outboundSeconds(from start: Int, seed: UInt64, _ network: RoadNetwork) -> Double {
        var seconds = 0.0
        var camera = start
        while true {
            let moves = outboundMoves(onLevel: network.level[camera], seed: seed, network)
            for _ in 0..<abs(moves) {
                seconds += network.ringStepSeconds(from: camera, clockwise: moves > 0)
                camera = network.ringNeighbour(of: camera, steps: moves > 0 ? 1 : -1)
            }
            guard network.level[camera] < network.outermost else { return seconds }
            let next = outwardChoice(from: camera, seed: seed, network)
            seconds += network.radialSeconds(inner: camera, outer: next)
            camera = next
        }
    }

    /// The cameras passed on the way out from `start`, `start` included.
    static func outboundPath(from start: Int, seed: UInt64, _ network: RoadNetwork) -> [Int] {
        var path = [start]
        var camera = start
        while true {
            let moves = outboundMoves(onLevel: network.level[camera], seed: seed, network)
            for _ in 0..<abs(moves) {
                camera = network.ringNeighbour(of: camera, steps: moves > 0 ? 1 : -1)
                path.append(camera)
            }
            guard network.level[camera] < network.outermost else { return path }
            camera = outwardChoice(from: camera, seed: seed, network)
            path.append(camera)
        }
    }
}
