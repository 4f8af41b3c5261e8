import RingwatchCore

extension TrafficSimulator {
    /// The camera registry the simulation runs on, as a cameras CSV (`camera,ring,lat,lon,name`).
    public var camerasCSV: String {
        var out = "camera,ring,lat,lon,name\n"
        for id in cameras.order {
            guard let camera = cameras[id] else { continue }
            out +=
                [
                    TrafficSimulator.csvField(camera.id), TrafficSimulator.csvField(camera.ring),
                    TrafficSimulator.coordinate(camera.latitude),
                    TrafficSimulator.coordinate(camera.longitude), TrafficSimulator.csvField(camera.name),
                ].joined(separator: ",") + "\n"
        }
        return out
    }

    /// The hotlist CSV (`plate,category,severity,reason,expires`): the planted hotlisted plates,
    /// then `hotlistDecoys` entries for plates that never drive in the simulation.
    public var hotlistCSV: String {
        var out = "plate,category,severity,reason,expires\n"
        func line(_ entry: HotlistEntry) {
            out +=
                [
                    entry.pattern, TrafficSimulator.csvField(entry.category), entry.severity.rawValue,
                    TrafficSimulator.csvField(entry.reason),
                    entry.expires?.rfc3339Seconds ?? "",
                ].joined(separator: ",") + "\n"
        }
        for plan in plans { if let entry = plan.hotlist { line(entry) } }
        let reasons = PlantPlanner.hotlistReasons
        for number in 0..<configuration.hotlistDecoys {
            var random = SplitMix64(seed: configuration.seed, stream: .decoy, UInt64(number))
            let template = reasons[random.below(reasons.count)]
            let expires = random.chance(0.6) ? nil : configuration.start.adding(seconds: Int64(random.int(in: 7...730)) * 86_400)
            line(
                HotlistEntry(
                    pattern: fleet.decoyPlate(number), category: template.0, severity: template.1,
                    reason: PlantPlanner.fillReference(template.2, &random), expires: expires.map { Timestamp(seconds: $0.seconds) }))
        }
        return out
    }

    /// The vehicle registry (DIV) CSV (`plate,make,model,color,vehicle_type`): every Belgian plate
    /// of the fleet with its registered vehicle (a cloned plate with the vehicle it belongs to,
    /// not the one carrying the copy), then the vehicles of the hotlist decoys.
    public var registryCSV: String {
        var out = "plate,make,model,color,vehicle_type\n"
        out.reserveCapacity((fleet.count + configuration.hotlistDecoys) * 44)
        func line(_ vehicle: Vehicle) {
            let model = VehicleCatalog.models[vehicle.model]
            out += vehicle.normalisedPlate
            out += ","
            out += model.make
            out += ","
            out += model.model
            out += ","
            out += VehicleCatalog.colors[vehicle.color]
            out += ","
            out += model.kind.name
            out += "\n"
        }
        for index in 0..<fleet.count {
            let vehicle = fleet.vehicle(index)
            if vehicle.format.isBelgian { line(vehicle) }
        }
        for number in 0..<configuration.hotlistDecoys { line(fleet.decoyVehicle(number)) }
        return out
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return text }
        return "\"" + text.replacingAll("\"", with: "\"\"") + "\""
    }

    /// Degrees with six decimals, written from integers so that it reads the same on every platform.
    static func coordinate(_ value: Double) -> String {
        let scaled = Int64((abs(value) * 1_000_000).rounded())
        let fraction = String(scaled % 1_000_000)
        return (value < 0 && scaled != 0 ? "-" : "") + String(scaled / 1_000_000) + "." + String(repeating: "0", count: 6 - fraction.count)
            + fraction
    }
}

extension String {
    /// The text with every `target` replaced (without Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
