import Foundation
import RingwatchCore
import RingwatchDetectors
import RingwatchRegistry
import RingwatchStorage

/// A vehicle whose routes resemble the routes of the vehicle asked about: one row of
/// `ringwatch routes --like`.
public struct SimilarRoute: Sendable {
    public let plate: String
    /// 0…1: `0.7 × coverage + 0.3 × precision`.
    public let similarity: Double
    /// How well its trips cover the asked vehicle's trips: the mean, over those trips, of the
    /// best match among its own.
    public let coverage: Double
    /// How much of its own driving follows those routes: the mean, over its trips, of the best
    /// match among the asked vehicle's.
    public let precision: Double
    /// Its trips that match one of the asked vehicle's trips (similarity 0.6 or more).
    public let trips: Int
    /// Its trips in the period, in all.
    public let allTrips: Int
    /// The asked vehicle's cameras it passed too, in the asked vehicle's order.
    public let sharedCameras: [String]
    /// `bus` (or another registry type that drives fixed lines) or `frequent` for a vehicle
    /// that follows everybody's route; nil for an ordinary vehicle.
    public let marker: String?
    /// Its reads per day it was seen.
    public let readsPerDay: Double
}

/// Similar-route search over the history (behind `ringwatch routes --like`).
///
/// Work follows the asked vehicle, not the size of the history:
/// 1. its reads come through the hour tables' (plate, ts) index and are split into trips;
/// 2. candidates are the vehicles that passed its cameras at about the same time of day, on
///    any day of the period: ranges over the (camera, ts) index, one per camera and day;
/// 3. the candidates that passed enough of its cameras (the 300 that passed most) have their reads fetched through the
///    (plate, ts) index in one batch, are split into trips, and each trip is aligned with each
///    of the asked vehicle's (`RouteSimilarity`: cameras in order, tolerant of a missed camera or
///    a detour, weighted by time of day and kind of day).
///
/// Phases 2 and 3 read on several threads when `openReader` is set, each with its own
/// connection: the candidate windows are shared out one at a time and the fetch day by day; the
/// rows are the same as on one thread.
public struct RouteSearch {
    public let database: HistoryDatabase
    /// Opens a further read-only connection to the file of `database` (one per extra thread);
    /// nil reads everything on `database`, on the caller's thread. Called on the threads that
    /// use the connections, possibly at the same time.
    public var openReader: (@Sendable () throws -> HistoryDatabase)?
    /// Threads that read phases 2 and 3 when `openReader` is set, the caller's included. Default:
    /// the active processors, at least 4 and at most 8. At least 4 because a cold page cache
    /// makes the threads wait for the disk: on 2 cores, 4 threads answered a month's search in
    /// two thirds of the time 2 took (6 threads no faster).
    public var readerThreads = max(4, min(8, ProcessInfo.processInfo.activeProcessorCount))
    /// A gap longer than this starts a new trip. Default 30 minutes.
    public var tripGapMilliseconds = Trip.defaultGapMilliseconds
    /// How far from the asked vehicle's time of day a candidate's passage may lie. Default 45 minutes.
    public var toleranceMilliseconds: Int64 = 45 * 60_000
    /// Candidates scored in full, those sharing the most cameras first. Default 300.
    public var candidateLimit = 300
    /// A trip longer than this is cut (a bus's day of back-to-back runs is not one trip).
    /// Default 2 hours.
    public var maximumTripMilliseconds: Int64 = 2 * 3_600_000
    /// Trips of one vehicle compared, at most (evenly spread over the period when it has more).
    /// Default 60.
    public var tripsCompared = 60
    /// Minutes local time is ahead of UTC, for time of day and kind of day. Default 0.
    public var utcOffsetMinutes = 0
    /// The registry's vehicle type of a plate; nil when no registry is given.
    public var vehicleType: VehicleTypeLookup?
    /// Called with (steps done, steps in all) as the search advances: from one thread at a time,
    /// with the steps done increasing, though not always from the caller's thread.
    public var progress: ((Int, Int) -> Void)?
    /// Called at the end of each phase (`trips`, `candidates`, `fetch`, `score`) with the
    /// candidates so far, for profiling.
    public var phaseEnded: ((String, Int) -> Void)?

    /// Registry vehicle types that drive fixed lines or everyone's routes.
    public static let lineVehicleTypes: Set<String> = ["bus", "coach", "tram", "taxi"]
    /// Reads per day seen, or hours of the day seen, from which a vehicle is `frequent`.
    public static let frequentReadsPerDay = 40.0
    public static let frequentHoursPerDay = 8.0
    /// A trip matches another from this similarity.
    public static let matchingTrip = 0.6

    public init(database: HistoryDatabase) { self.database = database }

    /// The asked vehicle's trips in `from...to` (those with two cameras or more).
    public func trips(of plate: String, from: Timestamp, to: Timestamp) throws -> [Trip] {
        let own = try database.reads(pattern: plate, from: from, to: to, limit: 1_000_000).map { Passage($0.read) }
        return routes(own)
    }

    /// A vehicle's trips of two stops or more, long ones cut at `maximumTripMilliseconds`.
    func routes(_ passages: [Passage]) -> [Trip] {
        var out: [Trip] = []
        for trip in Trip.split(passages, gap: tripGapMilliseconds) {
            var piece: [Passage] = []
            for stop in trip.stops {
                if let first = piece.first, stop.time.milliseconds - first.time.milliseconds > maximumTripMilliseconds {
                    out.append(Trip(stops: piece))
                    piece = []
                }
                piece.append(stop)
            }
            out.append(Trip(stops: piece))
        }
        return out.filter { $0.stops.count >= 2 }
    }

    /// At most `tripsCompared` of `trips`, evenly spread.
    func sample(_ trips: [Trip]) -> [Trip] {
        guard trips.count > tripsCompared else { return trips }
        return (0..<tripsCompared).map { trips[$0 * trips.count / tripsCompared] }
    }

    /// Vehicles whose trips resemble `plate`'s in `from...to`, best first, at most `top`.
    public func similar(to plate: String, from: Timestamp, to: Timestamp, top: Int) throws -> [SimilarRoute] {
        let own = try trips(of: plate, from: from, to: to)
        phaseEnded?("trips", 0)
        guard !own.isEmpty else { return [] }
        var ownCameras: [String] = []
        for camera in own.flatMap(\.cameras) where !ownCameras.contains(camera) { ownCameras.append(camera) }

        // 2. Who passed those cameras at about the same time of day.
        let windows = candidateWindows(own, from: from, to: to)
        // Which of its cameras each vehicle passed, as bits (its 64 most passed cameras).
        var passes: [String: Int] = [:]
        for trip in own { for camera in trip.cameras { passes[camera, default: 0] += 1 } }
        let bitCameras = passes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(64).map(\.key)
        let bit = Dictionary(uniqueKeysWithValues: bitCameras.enumerated().map { ($1, UInt64(1) << UInt64($0)) })
        // The windows' ranges, hour table by hour table, each table's in camera order: its
        // (camera, ts) index is then read front to back, which is what the kernel's read-ahead
        // serves best when the page cache is cold.
        let hours = try hourTables(of: windows.filter { bit[$0.camera] != nil }, from: from, to: to)
        let steps = hours.count + 1
        // Keyed by the plate packed in 64 bits, straight from the row's bytes: a month's windows
        // hold tens of millions of rows, and making and hashing a String for each was most of
        // the time. Each thread counts into its own table; the tables are merged at the end.
        let readers = HistoryReaders(database, threads: readerThreads, open: openReader)
        let counted = try readers.spread(items: hours.count, start: { (PlateMaskTable(), [String: UInt64]()) }) { database, seen, item in
            let (table, ranges) = hours[item]
            for window in ranges {
                let mask = bit[window.camera]!
                try database.forEachPlateBytes(in: table, camera: window.camera, from: window.from, to: window.to) { bytes in
                    if let key = PlateKey(normalisedBytes: bytes) {
                        seen.0.formUnion(key: key.rawValue, mask: mask)
                    } else {
                        // Plates that do not pack: none when normalised.
                        seen.1[String(decoding: bytes, as: UTF8.self), default: 0] |= mask
                    }
                }
            }
        } finished: { done in
            progress?(done, steps)
        }
        let seenAt = counted[0].0
        var seenAtText = counted[0].1
        for (table, text) in counted.dropFirst() {
            seenAt.formUnion(table)
            seenAtText.merge(text, uniquingKeysWith: |)
        }
        let typical = own.map { Set($0.cameras).count }.sorted()[own.count / 2]
        let needed = max(2, Int((0.4 * Double(typical)).rounded(.up)))
        // The `candidateLimit` plates that passed most cameras (at least `needed`), ties by
        // plate. Hundreds of thousands pass `needed` in a month; only those that passed as many
        // cameras as the last one taken, or more, are made text and sorted.
        let asked = PlateKey(plate)?.rawValue
        var plates = [Int](repeating: 0, count: 65)  // plates by cameras passed
        seenAt.forEach { key, mask in if key != asked { plates[mask.nonzeroBitCount] += 1 } }
        for (text, mask) in seenAtText where text != plate { plates[mask.nonzeroBitCount] += 1 }
        var least = needed, taken = 0
        for cameras in stride(from: 64, through: needed, by: -1) {
            taken += plates[cameras]
            if taken >= candidateLimit {
                least = cameras
                break
            }
        }
        var passedEnough: [(plate: String, cameras: Int)] = []
        seenAt.forEach { key, mask in
            if mask.nonzeroBitCount >= least && key != asked { passedEnough.append((PlateKey(rawValue: key).text, mask.nonzeroBitCount)) }
        }
        for (text, mask) in seenAtText where mask.nonzeroBitCount >= least && text != plate { passedEnough.append((text, mask.nonzeroBitCount)) }
        let candidates = passedEnough.sorted { ($0.cameras, $1.plate) > ($1.cameras, $0.plate) }
            .prefix(candidateLimit).map(\.plate)
        phaseEnded?("candidates", candidates.count)
        guard !candidates.isEmpty else {
            progress?(steps, steps)
            return []
        }

        // 3. Their trips, scored against the asked vehicle's.
        var readsOf: [String: [Passage]] = [:]
        for passage in try passages(of: candidates, from: from, to: to, readers: readers) {
            readsOf[passage.plate, default: []].append(passage)
        }
        progress?(steps, steps)
        phaseEnded?("fetch", candidates.count)
        var out: [SimilarRoute] = []
        let compared = Compared(sample(own))
        for candidate in candidates {
            guard let passages = readsOf[candidate] else { continue }
            if let row = score(candidate, passages: passages, against: compared, ownCameras: ownCameras) { out.append(row) }
        }
        phaseEnded?("score", candidates.count)
        return Array(out.sorted { ($0.similarity, $1.plate) > ($1.similarity, $0.plate) }.prefix(top))
    }

    /// The passages of `plates` in `from...to`, as `HistoryDatabase.passages(plates:from:to:)`
    /// gives them (hour table by hour table): one day per item, the days concatenated in order.
    /// An hour's table lies within one day, so each is read once, with the same query.
    func passages(of plates: [String], from: Timestamp, to: Timestamp, readers: HistoryReaders) throws -> [Passage] {
        guard readers.count > 1 else { return try readers.database.passages(plates: plates, from: from, to: to) }
        let day: Int64 = 86_400_000
        let firstDay = from.milliseconds.floorDivided(by: day), lastDay = to.milliseconds.floorDivided(by: day)
        let days = firstDay > lastDay ? 0 : Int(lastDay - firstDay + 1)
        let fetched = try readers.spread(items: days, start: { [Int: [Passage]]() }) { database, found, item in
            let start = (firstDay + Int64(item)) * day
            found[item] = try database.passages(
                plates: plates, from: Timestamp(milliseconds: max(from.milliseconds, start)),
                to: Timestamp(milliseconds: min(to.milliseconds, start + day - 1)))
        }
        var byDay: [Int: [Passage]] = [:]
        for found in fetched { byDay.merge(found) { first, _ in first } }
        return (0..<days).flatMap { byDay[$0] ?? [] }
    }

    /// Trips ready for alignment: cameras as numbers (comparing numbers, not strings, is most of
    /// the speed of a longest common subsequence) and start times.
    struct Compared {
        var cameras: [[Int32]] = []
        var starts: [Timestamp] = []
        var numbers: [String: Int32]

        init(_ trips: [Trip], numbers: [String: Int32] = [:]) {
            self.numbers = numbers
            for trip in trips {
                cameras.append(trip.stops.map { number(of: $0.camera) })
                starts.append(trip.start)
            }
        }

        private mutating func number(of camera: String) -> Int32 {
            if let known = numbers[camera] { return known }
            let next = Int32(numbers.count)
            numbers[camera] = next
            return next
        }

        var count: Int { cameras.count }
    }

    /// One candidate's row, or nil when it has no trip of two cameras.
    func score(_ plate: String, passages: [Passage], against own: Compared, ownCameras: [String]) -> SimilarRoute? {
        let all = routes(passages)
        guard !all.isEmpty else { return nil }
        let theirs = Compared(sample(all), numbers: own.numbers)
        var bestForOwn = [Double](repeating: 0, count: own.count)
        var bestForTheirs = [Double](repeating: 0, count: theirs.count)
        for i in 0..<own.count {
            for j in 0..<theirs.count {
                let order = RouteSimilarity.order(own.cameras[i], theirs.cameras[j])
                // The time can only lower it: skip it when the order alone cannot beat either best.
                guard order > bestForOwn[i] || order > bestForTheirs[j] else { continue }
                let time = RouteSimilarity.time(own.starts[i], theirs.starts[j], utcOffsetMinutes: utcOffsetMinutes)
                let similarity = order * ((1 - RouteSimilarity.timeWeight) + RouteSimilarity.timeWeight * time)
                bestForOwn[i] = max(bestForOwn[i], similarity)
                bestForTheirs[j] = max(bestForTheirs[j], similarity)
            }
        }
        let coverage = bestForOwn.reduce(0, +) / Double(own.count)
        let precision = bestForTheirs.reduce(0, +) / Double(theirs.count)
        let passed = Set(passages.map(\.camera))

        // Behaviour: how much of every day it drives.
        let days = Set(passages.map { $0.time.milliseconds.floorDivided(by: 86_400_000) })
        let hours = Set(passages.map { $0.time.hourNumber })
        let readsPerDay = Double(passages.count) / Double(days.count)
        let hoursPerDay = Double(hours.count) / Double(days.count)
        var marker: String?
        if let type = vehicleType?(plate)?.lowercased(), RouteSearch.lineVehicleTypes.contains(type) {
            marker = type
        } else if readsPerDay >= RouteSearch.frequentReadsPerDay || hoursPerDay >= RouteSearch.frequentHoursPerDay {
            marker = "frequent"
        }
        return SimilarRoute(
            plate: plate, similarity: 0.7 * coverage + 0.3 * precision, coverage: coverage, precision: precision,
            trips: Int((Double(bestForTheirs.filter { $0 >= RouteSearch.matchingTrip }.count) * Double(all.count) / Double(theirs.count)).rounded()),
            allTrips: all.count,
            sharedCameras: ownCameras.filter { passed.contains($0) }, marker: marker, readsPerDay: readsPerDay)
    }

    /// The hour tables that `windows` overlap, oldest first, each with the windows over it in
    /// camera order. A window is searched in every table it overlaps, with its whole range (a
    /// table holds only its hour's reads).
    func hourTables(of windows: [Window], from: Timestamp, to: Timestamp) throws -> [(table: String, windows: [Window])] {
        let partitions = try database.readPartitions(from: from, to: to)
        let index = Dictionary(uniqueKeysWithValues: partitions.enumerated().map { ($1.hour, $0) })
        var over = [[Window]](repeating: [], count: partitions.count)
        for window in windows {
            for hour in window.from.hourNumber...window.to.hourNumber {
                if let position = index[hour] { over[position].append(window) }
            }
        }
        return zip(partitions, over).compactMap { partition, windows in
            windows.isEmpty ? nil : (partition.table, windows.sorted { ($0.camera, $0.from.milliseconds) < ($1.camera, $1.from.milliseconds) })
        }
    }

    /// One range of the (camera, ts) index to look in.
    struct Window: Hashable {
        let camera: String
        let from: Timestamp
        let to: Timestamp
    }

    /// Each camera of `own`, on each day of the period, around each time of day it was passed;
    /// overlapping ranges merged.
    func candidateWindows(_ own: [Trip], from: Timestamp, to: Timestamp) -> [Window] {
        let day: Int64 = 86_400_000
        var minutesOf: [String: Set<Int64>] = [:]
        for trip in own {
            for stop in trip.stops {
                minutesOf[stop.camera, default: []].insert((stop.time.milliseconds % day + day) % day / 60_000)
            }
        }
        var windows: [Window] = []
        let firstDay = from.milliseconds.floorDivided(by: day) - 1, lastDay = to.milliseconds.floorDivided(by: day) + 1
        for camera in minutesOf.keys.sorted() {
            var ranges: [(Int64, Int64)] = []
            for number in firstDay...lastDay {
                for minute in minutesOf[camera]! {
                    let centre = number * day + minute * 60_000
                    let low = max(from.milliseconds, centre - toleranceMilliseconds)
                    let high = min(to.milliseconds, centre + toleranceMilliseconds)
                    if low <= high { ranges.append((low, high)) }
                }
            }
            ranges.sort { $0.0 < $1.0 }
            var merged: [(Int64, Int64)] = []
            for range in ranges {
                if let last = merged.last, range.0 <= last.1 + 1 {
                    merged[merged.count - 1].1 = max(last.1, range.1)
                } else {
                    merged.append(range)
                }
            }
            windows += merged.map { Window(camera: camera, from: Timestamp(milliseconds: $0.0), to: Timestamp(milliseconds: $0.1)) }
        }
        return windows
    }
}
