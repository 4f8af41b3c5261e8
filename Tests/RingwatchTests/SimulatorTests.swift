import Foundation
import RingwatchCore
import RingwatchIngest
import RingwatchTesting
import Testing

@testable import RingwatchSimulator

/// The traffic simulator as a library: determinism, the shape of the traffic, sensor errors,
/// planted events and the fixtures, on the shipped Antwerp cameras at low rates.
@Suite("Traffic simulator")
struct SimulatorTests {
    static let cameras: CameraRegistry = {
        let text = (try? String(contentsOfFile: RingwatchProcess.packageRoot + "/Fixtures/cameras.csv", encoding: .utf8)) ?? ""
        return CameraRegistry.parse(csv: text, file: "cameras.csv").0
    }()

    /// Local midnight (CET) at the start of Monday 2026-11-23.
    static let mondayMidnight = Timestamp(rfc3339: "2026-11-22T23:00:00Z")!

    static func configuration(
        seed: UInt64 = 7, start: Timestamp = mondayMidnight, hours: Double, rate: Double, busLines: Int = 2,
        plants: SimulationConfiguration.Plants = .none
    ) -> SimulationConfiguration {
        var configuration = SimulationConfiguration()
        configuration.seed = seed
        configuration.start = start
        configuration.hours = hours
        configuration.readsPerSecond = rate
        configuration.busLines = busLines
        configuration.plants = plants
        return configuration
    }

    static func run(_ configuration: SimulationConfiguration) throws -> (TrafficSimulator, [SimulatedMessage]) {
        let simulator = try TrafficSimulator(configuration: configuration, cameras: cameras)
        var messages: [SimulatedMessage] = []
        while let message = simulator.next() { messages.append(message) }
        return (simulator, messages)
    }

    /// Decoded reads, duplicates removed (first copy kept).
    static func reads(_ messages: [SimulatedMessage]) -> [PlateRead] {
        var seen = Set<String>()
        return messages.compactMap { message in
            guard case .success(let decoded) = ReadDecoder().decode(message.body), let id = decoded.read.sourceID,
                seen.insert(id).inserted
            else { return nil }
            return decoded.read
        }
    }

    static func localHour(_ time: Timestamp) -> Int { (time.hourOfDay + 1) % 24 }
    static func localDay(_ time: Timestamp) -> Int64 { (time.milliseconds + 3_600_000).floorDivided(by: 86_400_000) }

    @Test func theSameSeedGivesByteIdenticalMessagesFixturesAndGroundTruth() throws {
        let configuration = Self.configuration(
            start: Timestamp(rfc3339: "2026-11-23T06:00:00Z")!, hours: 1.2, rate: 1.5,
            plants: .init())
        let (first, a) = try Self.run(configuration)
        let (second, b) = try Self.run(configuration)
        #expect(a.count > 4000)
        #expect(a.count == b.count)
        #expect(zip(a, b).allSatisfy { $0.topic == $1.topic && $0.body == $1.body && $0.timestamp == $1.timestamp })
        #expect(first.groundTruthJSONLines == second.groundTruthJSONLines)
        #expect(!first.groundTruth.isEmpty)
        #expect(first.hotlistCSV == second.hotlistCSV)
        #expect(first.registryCSV == second.registryCSV)
        #expect(first.camerasCSV == second.camerasCSV)
        #expect(first.statistics == second.statistics)
    }

    @Test func differentSeedsGiveDifferentTraffic() throws {
        let (_, a) = try Self.run(Self.configuration(seed: 1, hours: 1, rate: 1))
        let (_, b) = try Self.run(Self.configuration(seed: 2, hours: 1, rate: 1))
        let platesA = Set(Self.reads(a).map(\.plate)), platesB = Set(Self.reads(b).map(\.plate))
        #expect(!platesA.isEmpty && !platesB.isEmpty)
        #expect(platesA.intersection(platesB).count * 20 < platesA.count, "two seeds share most plates")
        #expect(a.map(\.body) != b.map(\.body))
    }

    @Test func theDayHasMorningAndEveningPeaksAQuietNightAndTheConfiguredAverage() throws {
        let (_, messages) = try Self.run(Self.configuration(hours: 24, rate: 0.2))
        let reads = Self.reads(messages)
        var perHour = [Int](repeating: 0, count: 24)
        for read in reads { perHour[Self.localHour(read.timestamp)] += 1 }
        #expect(perHour[8] > 4 * perHour[3], "08:00 \(perHour[8]) vs 03:00 \(perHour[3])")
        #expect(perHour[17] > 4 * perHour[3], "17:00 \(perHour[17]) vs 03:00 \(perHour[3])")
        #expect(perHour[8] > perHour[12] && perHour[17] > perHour[12], "peaks above midday: \(perHour)")
        let average = Double(reads.count) / 86_400
        #expect(abs(average - 0.2) < 0.02, "average \(average) reads/s for 0.2 configured")
    }

    @Test func aShortSpanOnTheMorningRampAveragesTheConfiguredRate() throws {
        // 07:00 local, when departures are still few and arrivals climb fastest.
        let (simulator, _) = try Self.run(Self.configuration(start: Timestamp(rfc3339: "2026-11-23T06:00:00Z")!, hours: 0.25, rate: 8))
        let average = Double(simulator.statistics.reads) / 900
        #expect(abs(average - 8) < 0.8, "average \(average) reads/s for 8 configured")
    }

    @Test func weekendsCarryLessAndLaterTrafficThanWeekdays() throws {
        // Friday and Saturday, local time.
        let friday = Self.mondayMidnight.adding(seconds: 4 * 86_400)
        let (_, messages) = try Self.run(Self.configuration(start: friday, hours: 48, rate: 0.1))
        var days = [Int64: Int](), mornings = [Int64: Int]()
        for read in Self.reads(messages) {
            let day = Self.localDay(read.timestamp)
            days[day, default: 0] += 1
            if Self.localHour(read.timestamp) == 8 { mornings[day, default: 0] += 1 }
        }
        let fridayDay = Self.localDay(friday), saturdayDay = fridayDay + 1
        let weekday = days[fridayDay] ?? 0, weekend = days[saturdayDay] ?? 0
        #expect(weekend * 100 < weekday * 85, "Saturday \(weekend) reads vs Friday \(weekday)")
        #expect((mornings[saturdayDay] ?? 0) * 2 < (mornings[fridayDay] ?? 0), "08:00 Saturday vs Friday: \(mornings)")
    }

    @Test func commutersComeBackOnMostWeekdaysAtSimilarTimes() throws {
        let (simulator, messages) = try Self.run(Self.configuration(hours: 24 * 7, rate: 0.03, busLines: 0))
        // First inbound read of each plate on each weekday, in minutes of the local day (late
        // shifts come home after midnight: their outbound reads do not say when they set out).
        var firstSeen: [Plate: [Int64: Int]] = [:]
        for read in Self.reads(messages) where read.direction == .inbound {
            let day = Self.localDay(read.timestamp)
            guard day - Self.localDay(Self.mondayMidnight) < 5 else { continue }
            let minute = Int((read.timestamp.milliseconds + 3_600_000).floorDivided(by: 60_000) % 1440)
            firstSeen[read.plate, default: [:]][day] = min(firstSeen[read.plate]?[day] ?? .max, minute)
        }
        let regulars = firstSeen.values.filter { $0.count >= 4 }
        let commuters = simulator.fleetSummary.commuters
        #expect(commuters >= 30)
        #expect(regulars.count * 2 >= commuters, "\(regulars.count) plates on 4+ weekdays for \(commuters) commuters")
        #expect(regulars.count <= commuters * 3 / 2, "\(regulars.count) plates on 4+ weekdays for \(commuters) commuters")
        let steady = regulars.filter { days in (days.values.max() ?? 0) - (days.values.min() ?? 0) <= 40 }
        #expect(steady.count * 10 >= regulars.count * 8, "\(steady.count) of \(regulars.count) regulars start within 40 minutes")
    }

    @Test func commuterCompanionsFollowTheirColleagueAFewSecondsBehindOnMostDays() throws {
        var configuration = Self.configuration(hours: 24 * 3, rate: 0.03, busLines: 0)
        configuration.commuterCompanions = 6
        func simulate() throws -> (TrafficSimulator, [SimulatedMessage], [ReadTruth]) {
            let simulator = try TrafficSimulator(configuration: configuration, cameras: Self.cameras)
            var truths: [ReadTruth] = []
            simulator.onRead = { truths.append($0) }
            var messages: [SimulatedMessage] = []
            while let message = simulator.next() { messages.append(message) }
            return (simulator, messages, truths)
        }
        let (simulator, messages, truths) = try simulate()
        // Deterministic: the same seed gives the same stream.
        #expect(try simulate().1.map(\.body) == messages.map(\.body))

        var byVehicle: [Int: [ReadTruth]] = [:]
        for truth in truths { byVehicle[truth.vehicle, default: []].append(truth) }
        let first = simulator.fleet.commuters.lowerBound
        var followersOnSeveralDays = 0
        for pair in 0..<6 {
            let leader = byVehicle[first + 2 * pair] ?? [], follower = byVehicle[first + 2 * pair + 1] ?? []
            var days: [Int64: [Int64]] = [:]
            for read in follower {
                // The colleague passed the same camera a few seconds before (unless that read was missed).
                guard let ahead = leader.filter({ $0.camera == read.camera && $0.time < read.time })
                    .map({ read.time.milliseconds - $0.time.milliseconds }).min(), ahead <= 34_000 else { continue }
                days[Self.localDay(read.time), default: []].append(ahead)
            }
            let matched = days.values.reduce(0) { $0 + $1.count }
            #expect(matched * 10 >= follower.count * 8, "pair \(pair): \(matched) of \(follower.count) reads just behind the colleague")
            // One gap a day, held within about a tenth and a second either way.
            for gaps in days.values { #expect(gaps.max()! - gaps.min()! <= 9_000, "pair \(pair): gaps \(gaps)") }
            if days.count >= 2 { followersOnSeveralDays += 1 }
        }
        #expect(followersOnSeveralDays >= 4, "\(followersOnSeveralDays) of 6 companions drove along on two days or more")
        // The commuters after the companions drive on their own, as without companions.
        let plain = try Self.run(Self.configuration(hours: 24 * 3, rate: 0.03, busLines: 0)).0
        #expect(plain.fleetSummary.commuters == simulator.fleetSummary.commuters)
    }

    @Test func misreadsHappenAtTheConfiguredRate() throws {
        var configuration = Self.configuration(start: Timestamp(rfc3339: "2026-11-23T07:00:00Z")!, hours: 1, rate: 4)
        configuration.misreadRate = 0.05
        configuration.dropInsertRate = 0.01
        configuration.maximumFleet = 20_000  // a smaller registry to compare with; visitors come back more often
        let (simulator, messages) = try Self.run(configuration)
        let registered = Set(simulator.registryCSV.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) })
        let belgian = Self.reads(messages).filter { $0.country == "BE" }
        let unregistered = belgian.filter { !registered.contains($0.plate.text) }
        let share = Double(unregistered.count) / Double(belgian.count)
        #expect(belgian.count > 10_000)
        #expect(abs(share - 0.06) < 0.012, "\(unregistered.count) of \(belgian.count) Belgian reads are not registered plates")
        let statistics = simulator.statistics
        #expect(abs(Double(statistics.substitutions) / Double(statistics.reads) - 0.05) < 0.008)
        #expect(abs(Double(statistics.dropsAndInserts) / Double(statistics.reads) - 0.01) < 0.004)
    }

    @Test func everyMessageDecodesAndEveryPlantedReadIsInTheStream() throws {
        let configuration = Self.configuration(start: Timestamp(rfc3339: "2026-11-23T08:00:00Z")!, hours: 2, rate: 2, plants: .init())
        let (simulator, messages) = try Self.run(configuration)
        var ids = Set<String>(), withCharacterConfidence = 0
        for message in messages {
            let decoded = try ReadDecoder().decode(message.body).get()
            #expect(decoded.ignored.isEmpty, "fields ignored in \(String(decoding: message.body, as: UTF8.self))")
            #expect(Self.cameras[decoded.read.camera] != nil)
            #expect(message.topic == "read.\(Self.cameras.ring(of: decoded.read.camera)).\(decoded.read.camera)")
            #expect(message.timestamp == decoded.read.timestamp)
            if decoded.read.characterConfidence != nil { withCharacterConfidence += 1 }
            ids.insert(decoded.read.id.description)
        }
        #expect(withCharacterConfidence * 10 > messages.count * 9)
        #expect(simulator.skippedPlants.isEmpty, "skipped \(simulator.skippedPlants)")
        let events = simulator.groundTruth
        let plants = SimulationConfiguration.Plants()
        #expect(events.count == plants.total)
        for (kind, count) in [
            ("hotlist", plants.hotlist), ("convoy", plants.convoys), ("clone_vehicle", plants.cloneVehicles),
            ("clone_speed", plants.cloneSpeeds), ("route_takeover", plants.routeTakeovers),
        ] {
            #expect(events.filter { $0.event == kind }.count == count, "\(kind)")
        }
        for event in events {
            #expect(!event.readIDs.isEmpty)
            for id in event.readIDs { #expect(ids.contains(id), "\(event.id) read \(id) was never published") }
        }
    }

    @Test func messagesComeInEventOrderButForCameraSkewAndLateDeliveries() throws {
        var configuration = Self.configuration(start: Timestamp(rfc3339: "2026-11-23T07:00:00Z")!, hours: 1, rate: 3)
        configuration.lateRate = 0.005
        let (simulator, messages) = try Self.run(configuration)
        var latest: Int64 = 0, farBehind = 0
        for message in messages {
            // Skew is ±1.5 s per camera and duplicates follow within 3 s.
            if message.timestamp.milliseconds < latest - 6_500 { farBehind += 1 }
            latest = max(latest, message.timestamp.milliseconds)
        }
        #expect(simulator.statistics.late > 0)
        #expect(farBehind <= simulator.statistics.late)
        #expect(messages.count == simulator.messagesEmitted)
    }

    @Test func groundTruthRecordsWhatEachDetectorNeeds() throws {
        let configuration = Self.configuration(start: Timestamp(rfc3339: "2026-11-23T07:00:00Z")!, hours: 6, rate: 0.5, plants: .init())
        let (simulator, _) = try Self.run(configuration)
        let events = simulator.groundTruth
        let hex = Set("0123456789abcdef")
        for event in events {
            let json = event.json
            for key in ["event", "id", "expect", "plates", "read_ids", "source_ids", "start", "end"] {
                #expect(json[key] != nil, "\(event.id) lacks \(key)")
            }
            #expect(event.readIDs.count == event.sourceIDs.count)
            #expect(zip(event.readIDs, event.sourceIDs).allSatisfy { ReadID.from(sourceID: $1).description == $0 })
            #expect(event.readIDs.allSatisfy { $0.count == 16 && $0.allSatisfy(hex.contains) })
            #expect(event.start <= event.end)
            #expect(event.plates.allSatisfy { Plate(normalising: $0)?.text == $0 })
            switch event.event {
            case "hotlist":
                #expect(json["listed_plate"]?.stringValue == event.plates[0])
                #expect(json["reads"]?.arrayValue?.count == event.readIDs.count)
            case "convoy":
                let members = json["members"]?.arrayValue ?? []
                #expect((2...4).contains(members.count))
                #expect(members.first?["role"]?.stringValue == "lead" && members.last?["role"]?.stringValue == "tail")
                #expect((json["cameras"]?.arrayValue?.count ?? 0) >= 5)
                #expect((json["max_gap_s"].flatMap { Double($0.serialized) } ?? 99) <= 61)
            case "clone_vehicle":
                #expect(event.expect == .mismatch)
                #expect(json["registered"]?["make"] != json["carried"]?["make"])
            case "clone_speed":
                #expect(event.expect == .clone)
                #expect((json["implied_speed_kmh"].flatMap { Double($0.serialized) } ?? 0) > 150)
                #expect((json["distance_km"].flatMap { Double($0.serialized) } ?? 0) > 8)
            case "route_takeover":
                #expect(event.expect == .route)
                #expect(event.plates.count == 2)
                #expect((json["original_runs"]?.arrayValue?.count ?? 0) >= 2)
                #expect((json["takeover_runs"]?.arrayValue?.count ?? 0) >= 1)
                #expect((json["learn_to"]?.stringValue).flatMap(Timestamp.init(rfc3339:)).map { $0 < event.start } == true)
            default:
                Issue.record("unknown event \(event.event)")
            }
        }
        // Hotlisted vehicles are misread now and then, and the ground truth says how.
        let hotlistReads = events.filter { $0.expect == .hotlist }.flatMap(\.reads)
        #expect(hotlistReads.contains { $0.misread == "substitution" })
        #expect(hotlistReads.filter { $0.misread == "none" }.allSatisfy { $0.plate == $0.plateRead })
        #expect(
            hotlistReads.filter { $0.misread == "substitution" }.allSatisfy { read in
                read.plate.count == read.plateRead.count
                    && zip(read.plate.utf8, read.plateRead.utf8).filter { $0 != $1 }.count == read.substitutions
                    && zip(read.plate.utf8, read.plateRead.utf8).allSatisfy { $0 == $1 || OCRConfusions.standard.areConfusable($0, $1) }
            })
    }

    @Test func fixturesLoadWithTheEngineParsers() throws {
        var configuration = Self.configuration(start: Timestamp(rfc3339: "2026-11-23T07:00:00Z")!, hours: 1, rate: 1, plants: .init())
        configuration.hotlistDecoys = 2000
        let (simulator, messages) = try Self.run(configuration)

        let (entries, hotlistReport) = HotlistEntry.parse(csv: simulator.hotlistCSV, file: "hotlist.csv")
        #expect(hotlistReport.problems.isEmpty)
        #expect(entries.count == 5 + 2000)
        let decoys = Set(entries.dropFirst(5).map(\.pattern))
        #expect(decoys.count == 2000)
        // Hotlisted plates belong to registered vehicles, the decoys' too.
        let registeredPlates = Set(simulator.registryCSV.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) })
        #expect(decoys.isSubset(of: registeredPlates))
        #expect(Self.reads(messages).allSatisfy { !decoys.contains($0.plate.text) } || simulator.statistics.substitutions > 0)

        let (cameras, cameraReport) = CameraRegistry.parse(csv: simulator.camerasCSV, file: "cameras.csv")
        #expect(cameraReport.problems.isEmpty)
        #expect(cameras.order == Self.cameras.order)
        #expect(cameras.order.allSatisfy { cameras[$0] == Self.cameras[$0] })

        let registry = CSVFile(text: simulator.registryCSV)
        #expect(registry.problems.isEmpty)
        #expect(registry.header == ["plate", "make", "model", "color", "vehicle_type"])
        let types = Set(registry.rows.map { $0.fields[4] })
        #expect(types == ["car", "van", "bus", "truck", "motorcycle"])
        // A cloned plate is registered to the vehicle it belongs to, not to the one carrying the copy.
        for event in simulator.groundTruth where event.event == "clone_vehicle" {
            let row = try #require(registry.rows.first { $0.fields[0] == event.plates[0] })
            #expect(row.fields[1] == event.json["registered"]?["make"]?.stringValue)
            #expect(row.fields[2] == event.json["registered"]?["model"]?.stringValue)
        }
    }

    @Test func scorerCountsFoundAndMissedEventsPerDetector() throws {
        let configuration = Self.configuration(start: Timestamp(rfc3339: "2026-11-23T07:00:00Z")!, hours: 3, rate: 0.3, plants: .init())
        let (simulator, _) = try Self.run(configuration)
        let events = simulator.groundTruth
        let hotlist = try #require(events.first { $0.event == "hotlist" })
        let convoy = try #require(events.first { $0.event == "convoy" })
        let route = try #require(events.first { $0.event == "route_takeover" })
        let cloneSpeed = try #require(events.first { $0.event == "clone_speed" })
        let triggers = [
            TriggerObservation(kind: .hotlist, readIDs: [hotlist.readIDs[0]], plates: [hotlist.plates[0]]),
            TriggerObservation(kind: .convoy, readIDs: [], plates: Array(convoy.plates.prefix(2))),
            TriggerObservation(kind: .route, readIDs: [], plates: [route.plates[0]]),
            // The right evidence under the wrong kind finds nothing.
            TriggerObservation(kind: .mismatch, readIDs: cloneSpeed.readIDs, plates: cloneSpeed.plates),
            TriggerObservation(kind: .hotlist, readIDs: ["0000000000000000"], plates: ["1AAA001"]),
        ]
        let scores = GroundTruthScorer(events: events).score(triggers)
        func score(_ kind: TriggerKind) -> DetectorScore? { scores.first { $0.kind == kind } }
        #expect(scores.map(\.kind) == [.hotlist, .convoy, .route, .mismatch, .clone])
        #expect(score(.hotlist)?.planted == 5 && score(.hotlist)?.found == 1 && score(.hotlist)?.missed == 4)
        #expect(score(.hotlist)?.foundEvents == [hotlist.id])
        #expect(score(.hotlist)?.triggers == 2 && score(.hotlist)?.unmatchedTriggers == 1)
        #expect(score(.convoy)?.found == 1 && score(.convoy)?.planted == 4)
        #expect(score(.route)?.found == 1 && score(.route)?.recall == 1)
        #expect(score(.mismatch)?.found == 0 && score(.mismatch)?.planted == 3)
        #expect(score(.clone)?.found == 0 && score(.clone)?.missedEvents.count == 3)

        // Within a limit of no substitutions, only correctly read evidence counts.
        let exactOnly = GroundTruthScorer(events: events).score(triggers, hotlistMaximumSubstitutions: 0)
        let first = hotlist.reads[0]
        #expect(first.misread == "none")
        #expect(exactOnly.first { $0.kind == .hotlist }?.found == 1)
    }

    @Test(arguments: [
        (RingwatchSimulator.PlateFormat.belgianCurrent, "^[12]-[A-Z]{3}-[0-9]{3}$", "BE"),
        (.belgianLetters, "^[A-Z]{3}-[0-9]{3}$", "BE"),
        (.belgianDigits, "^[0-9]{3}-[A-Z]{3}$", "BE"),
        (.dutchLettersFirst, "^[B-Z]{2}-[0-9]{3}-[B-Z]$", "NL"),
        (.dutchDigitsFirst, "^[0-9]{2}-[B-Z]{3}-[0-9]$", "NL"),
        (.french, "^[A-Z]{2}-[0-9]{3}-[A-Z]{2}$", "FR"),
        (.german, "^[A-Z]{1,2}-[A-Z]{2} [0-9]{4}$", "DE"),
    ])
    func platesArePrintedInTheirCountrysFormat(format: RingwatchSimulator.PlateFormat, pattern: String, country: String) throws {
        let numbering = PlateNumbering(format: format, seed: 3)
        let expression = try NSRegularExpression(pattern: pattern)
        var seen = Set<String>()
        for index in 0..<500 {
            var bytes: [UInt8] = []
            format.write(number: numbering.number(for: UInt64(index)), into: &bytes)
            let printed = String(decoding: bytes, as: UTF8.self)
            #expect(expression.firstMatch(in: printed, range: NSRange(location: 0, length: printed.utf16.count)) != nil, "\(printed)")
            #expect(Plate(normalising: printed) != nil)
            seen.insert(printed)
        }
        #expect(seen.count == 500, "vehicle numbers must give distinct plates")
        #expect(format.country == country)
    }

    /// A national fleet numbers more vehicles than the Dutch formats have plates: vehicle `i` and
    /// vehicle `i + capacity` must not share a plate (before, ~3,900 pairs did at 7M vehicles and
    /// the clone detector fired on them).
    @Test func vehiclesBeyondAFormatsCapacityStillGetPlatesOfTheirOwn() {
        let fleet = Fleet(seed: 5, commuters: 0, vans: 0, busLines: 0, busesPerLine: 0, planted: 0, visitors: 20_000_000, foreignShare: 0.5)
        for format in [RingwatchSimulator.PlateFormat.dutchLettersFirst, .dutchDigitsFirst, .belgianLetters] {
            let capacity = Int(format.capacity)
            #expect(format.roomy(forVehicle: capacity - 1) == format)
            let moved = format.roomy(forVehicle: capacity)
            #expect(moved.capacity > UInt64(20_000_000) && moved.country == (format.isBelgian ? "BE" : "FR"))
        }
        var seen: [String: Int] = [:]
        for base in stride(from: 0, to: 3_000, by: 1) {
            for offset in [0, 3_317_760, 4_091_904, 6_635_520, 8_183_808, 12_275_712] {
                let index = base + offset
                let plate = fleet.vehicle(index).normalisedPlate
                if let other = seen.updateValue(index, forKey: plate) { Issue.record("vehicles \(other) and \(index) share a plate") }
            }
        }
    }

    /// Vehicle numbers map to plates by a keyed permutation: under an affine map, the plates of
    /// vehicles *i* and *i + k* differ by the same characters for every *i*, which made a whole
    /// range of hotlist decoys look-alikes (`D` for `Q`) of a range of the fleet.
    @Test(arguments: [UInt64(1), 2, 3])
    func fleetPlatesAreNoMoreOftenLookAlikesOfOneAnotherThanRandomPlates(seed: UInt64) {
        let numbering = PlateNumbering(format: .belgianCurrent, seed: seed)
        func plate(_ index: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            RingwatchSimulator.PlateFormat.belgianCurrent.write(number: numbering.number(for: UInt64(index)), into: &bytes)
            return bytes.filter { $0 != 45 }
        }
        let fleet = 200_000, decoys = 50_000
        let fleetPlates = Set((0..<fleet).map(plate))
        // Look-alikes within one format: letters of the O/D/Q class swapped (no two digits are confusable).
        let swaps: [UInt8: [UInt8]] = [79: [68, 81], 68: [79, 81], 81: [79, 68]]
        var variants = 0, lookAlikes = 0
        for index in fleet..<(fleet + decoys) {
            let decoy = plate(index)
            for position in 1...3 {
                for other in swaps[decoy[position]] ?? [] {
                    var variant = decoy
                    variant[position] = other
                    variants += 1
                    if fleetPlates.contains(variant) { lookAlikes += 1 }
                }
            }
        }
        // At random, each variant is a fleet plate with probability fleet / capacity.
        let capacity = RingwatchSimulator.PlateFormat.belgianCurrent.capacity
        let expected = Double(variants) * Double(fleet) / Double(capacity)
        #expect(Double(lookAlikes) < 2 * expected + 10, "\(lookAlikes) look-alike pairs where chance gives \(Int(expected))")
        // The cause, tested directly: vehicles k apart must not have plate numbers a fixed distance apart.
        for k in [1, 2, 1000, 123_457] {
            let distances = Set(
                (0..<1000).map { (numbering.number(for: UInt64($0 + k)) + capacity - numbering.number(for: UInt64($0))) % capacity })
            #expect(distances.count > 990, "vehicles \(k) apart: \(distances.count) distinct plate-number distances in 1000")
        }
    }

    @Test func unusableConfigurationsAndRegistriesAreRefusedInOneSentence() {
        var configuration = SimulationConfiguration()
        configuration.readsPerSecond = 0
        #expect(throws: SimulationError("readsPerSecond must be more than 0 and at most 10,000,000")) {
            try TrafficSimulator(configuration: configuration, cameras: Self.cameras)
        }
        configuration = SimulationConfiguration()
        configuration.misreadRate = 1.5
        #expect(configuration.problem == "misreadRate must be between 0 and 1")
        #expect(throws: SimulationError.self) { try TrafficSimulator(configuration: SimulationConfiguration(), cameras: CameraRegistry()) }
        // One ring is enough to simulate (no radial roads).
        let oneRing = CameraRegistry(
            (1...4).map { Camera(id: "C\($0)", ring: "R1", latitude: 51.2 + Double($0) / 100, longitude: 4.4, name: "") })
        var small = Self.configuration(hours: 1, rate: 0.5)
        small.plants = .init()
        #expect(throws: Never.self) {
            let simulator = try TrafficSimulator(configuration: small, cameras: oneRing)
            while simulator.next() != nil {}
        }
    }
}

/// Physics: one vehicle is in one place at a time.
@Suite("Traffic simulator: one vehicle, one place")
struct SimulatorPhysicsTests {
    /// Consecutive reads of each plate, over a simulated day: the fastest implied speed between
    /// two cameras (straight line, allowing both cameras' clock errors), with the pair's
    /// plate and vehicle role for the failure message. Misread reads (another plate as read)
    /// and the planted clones (one plate on two vehicles, on purpose) are left out.
    static func fastestLegs(_ configuration: SimulationConfiguration) throws -> (
        simulator: TrafficSimulator, reads: Int, legs: [(speed: Double, what: String)]
    ) {
        let simulator = try TrafficSimulator(configuration: configuration, cameras: SimulatorTests.cameras)
        var truths: [String: ReadTruth] = [:]
        simulator.onRead = { truths[$0.sourceID] = $0 }
        var messages: [SimulatedMessage] = []
        while let message = simulator.next() { messages.append(message) }
        var byPlate: [Plate: [PlateRead]] = [:]
        var counted = 0
        for read in SimulatorTests.reads(messages) {
            let truth = try #require(read.sourceID.flatMap { truths[$0] })
            if truth.isMisread || truth.plantedEvent?.hasPrefix("clone-") == true { continue }
            #expect(truth.plate == read.plate.text)
            byPlate[read.plate, default: []].append(read)
            counted += 1
        }
        // The cameras' fixed clock errors (±maximumClockSkewMilliseconds each) and the ±20 ms jitter.
        let margin = Double(2 * configuration.maximumClockSkewMilliseconds + 40) / 1000
        var legs: [(Double, String)] = []
        for (plate, reads) in byPlate {
            let ordered = reads.sorted { $0.timestamp < $1.timestamp }
            for (a, b) in zip(ordered, ordered.dropFirst()) where a.camera != b.camera {
                let kilometres = SimulatorTests.cameras[a.camera]!.distanceKilometres(to: SimulatorTests.cameras[b.camera]!)
                let seconds = Double(b.timestamp.milliseconds - a.timestamp.milliseconds) / 1000 + margin
                let vehicle = truths[a.sourceID!]!.vehicle
                let role = simulator.fleet.role(of: vehicle)
                let what = "\(plate.text) (vehicle \(vehicle), \(role)): \(a.camera) then \(b.camera) at \(b.timestamp.rfc3339)"
                legs.append((kilometres / seconds * 3600, what))
            }
        }
        return (simulator, counted, legs.sorted { $0.0 > $1.0 })
    }

    @Test(arguments: [
        // A weekday with every kind of traffic and the default planted events.
        (maximumFleet: 1_000_000, seed: UInt64(3)),
        // A fleet cap that leaves the visitor pool just large enough: vehicles come back as
        // soon as they may.
        (maximumFleet: 26_000, seed: UInt64(4)),
    ])
    func noVehicleIsReadInTwoPlacesTooFarApartForItsSpeed(maximumFleet: Int, seed: UInt64) throws {
        var configuration = SimulatorTests.configuration(
            seed: seed, start: Timestamp(rfc3339: "2026-11-23T04:00:00Z")!, hours: 24, rate: 2, busLines: 6, plants: .init())
        configuration.maximumFleet = maximumFleet
        let (simulator, reads, legs) = try Self.fastestLegs(configuration)
        #expect(simulator.visitorsNeverOverlap)
        #expect(reads > 150_000)
        let tooFast = legs.filter { $0.speed > 150 }
        let fastest = tooFast.prefix(5).map { "\(Int($0.speed)) km/h \($0.what)" }
        #expect(tooFast.count == 0, "\(tooFast.count) legs above 150 km/h, fastest: \(fastest)")
        // Ordinary traffic never comes near the limit (outer ring: 90 km/h on a road 1.3 times
        // the straight line).
        #expect((legs.first?.speed ?? 0) < 120)
    }

    @Test func aVisitingVehicleArrivesAgainOnlyAfterTheTurnoverAndLeavesOnlyOnceArrived() throws {
        let configuration = SimulatorTests.configuration(hours: 2, rate: 2)
        let simulator = try TrafficSimulator(configuration: configuration, cameras: SimulatorTests.cameras)
        let visitors = simulator.visitors
        var lastUse: [Int: Int64] = [:]
        for index in Int64(0)..<Int64(3 * visitors.pool.count) {
            let vehicle = visitors.vehicle(forArrival: index)
            #expect(visitors.pool.contains(vehicle))
            if let previous = lastUse[vehicle] {
                #expect(index - previous > visitors.turnover, "vehicle \(vehicle) arrives as number \(previous) and \(index)")
            }
            lastUse[vehicle] = index
        }
        // Every vehicle of the pool's groups takes its turn.
        #expect(lastUse.count == VisitorTraffic.poolGroups * visitors.blockSize)
        let start = configuration.start.milliseconds / 60_000
        for minute in start..<(start + 30) {
            for klass in VisitorTraffic.shares.indices.dropFirst() {
                for number in 0..<5 {
                    let arrival = visitors.arrival(minute: minute, klass: klass, number: number, index: 0)
                    let slowest = arrival.route.inboundSeconds(simulator.network) * Journey.slowestFactor(.visitor)
                    #expect(Double(arrival.departure - arrival.time) >= slowest * 1000)
                    #expect(arrival.departure - arrival.time >= Int64(VisitorTraffic.parkingMinutes[klass]) * 60_000)
                }
            }
        }
    }

    @Test(arguments: [(UInt64(1), 6), (UInt64(2), 12), (UInt64(3), 1)])
    func aBusStartsARunOnlyWhenItsPreviousRunHasEnded(seed: UInt64, lines: Int) throws {
        let network = try RoadNetwork(registry: SimulatorTests.cameras)
        let buses = (0..<lines).map { BusLine(seed: seed, number: $0, of: lines, network: network).busesNeeded(network) }.max() ?? 0
        for number in 0..<lines {
            let line = BusLine(seed: seed, number: number, of: lines, network: network)
            let slowest = line.slowestMinutes(network)
            for type in TrafficProfile.DayType.allCases {
                // Per bus: (start, end, inbound) of its runs, at their slowest, with the drive back after a run out.
                var runs = [[(start: Double, end: Double, inbound: Bool)]](repeating: [], count: buses)
                for (trip, minute) in line.departures(type).enumerated() {
                    let bus = line.buses(trip: trip, type: type, buses: buses, network)
                    let start = Double(minute)
                    runs[bus.inbound].append((start, start + slowest.inbound, true))
                    runs[bus.outbound].append((start, start + slowest.outbound + slowest.back, false))
                }
                for (bus, schedule) in runs.enumerated() {
                    let ordered = schedule.sorted { $0.start < $1.start }
                    for (a, b) in zip(ordered, ordered.dropFirst()) {
                        let what = "line \(number) bus \(bus) on a \(type): run at \(a.start) ends \(a.end), next at \(b.start)"
                        #expect(b.start >= a.end + BusLine.layoverMinutes, "\(what)")
                        #expect(a.inbound != b.inbound, "line \(number) bus \(bus) on a \(type) drives two runs the same way")
                    }
                }
            }
        }
    }
}
