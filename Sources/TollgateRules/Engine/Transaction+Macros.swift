#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Transaction {
    /// Expands a parsed `%{...}` string against the current transaction.
    func expand(_ macro: MacroString) -> [UInt8] {
        if macro.segments.count == 1 {
            // One literal, or one reference (`%{tx.critical_anomaly_score}`): the bytes themselves, no copy.
            switch macro.segments[0] {
            case .literal(let bytes): return bytes
            case .reference(let variable, _, let key, let hash): return resolve(variable, lookupKey: key, hash: hash)
            }
        }
        var out: [UInt8] = []
        // One allocation for the usual short result (appending to an empty array grows it step by step).
        out.reserveCapacity(macro.literalByteCount + 32)
        for segment in macro.segments {
            switch segment {
            case .literal(let bytes): out += bytes
            case .reference(let variable, _, let key, let hash): out += resolve(variable, lookupKey: key, hash: hash)
            }
        }
        return out
    }

    /// Expands macros in operator text (cached parse per distinct text).
    func expandText(_ text: String) -> [UInt8] {
        if let m = macroCache[text] { return expand(m) }
        guard let m = try? MacroString(parsing: text) else { return Array(text.utf8) }
        macroCache[text] = m
        return expand(m)
    }

    /// The first value of `variable` (with `lookupKey`, already lowercased where keys are case-insensitive).
    /// `hash` is `KeyedStore.hash(lookupKey)`, computed at load (`MacroString.Segment.reference`).
    func resolve(_ variable: Variable, lookupKey: [UInt8]?, hash: UInt64) -> [UInt8] {
        guard variable.isCollection else { return scalar(variable) ?? [] }
        if Self.isStore(variable) {
            guard let key = lookupKey else { return stores[variable]?.entries.first?.value ?? [] }
            return stores[variable]?[lowercased: key, hash: hash] ?? []
        }
        let list = entries(of: variable)
        guard let key = lookupKey else { return list.first?.value ?? [] }
        for i in list.indices
        where variable.caseInsensitiveKeys ? list[i].key.equalsIgnoringCase(key) : list[i].key == key {
            return list[i].value
        }
        return []
    }

    func nowMicroseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1000
    }

    func timeValue(_ variable: Variable) -> [UInt8] {
        var t = time_t(startMicroseconds / 1_000_000)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let s: String
        switch variable {
        case .timeEpoch: s = String(startMicroseconds / 1_000_000)
        case .timeYear: s = String(parts.tm_year + 1900)
        case .timeMon: s = two(parts.tm_mon + 1)
        case .timeDay: s = two(parts.tm_mday)
        case .timeHour: s = two(parts.tm_hour)
        case .timeMin: s = two(parts.tm_min)
        case .timeSec: s = two(parts.tm_sec)
        case .timeWDay: s = String(parts.tm_wday)
        default: s = "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        }
        return Array(s.utf8)
    }
}
