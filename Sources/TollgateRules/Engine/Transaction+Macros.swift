#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Transaction {
    /// Expands a parsed `%{...}` string against the current transaction.
    func expand(_ macro: MacroString) -> [UInt8] {
        var out: [UInt8] = []
        for segment in macro.segments {
            switch segment {
            case .literal(let bytes): out += bytes
            case .reference(let variable, let key): out += resolve(variable, key: key)
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

    func resolve(_ variable: Variable, key: String?) -> [UInt8] {
        if variable.isCollection {
            let target = VariableTarget(
                variable: variable,
                key: key.map { k in
                    .literal(variable.caseInsensitiveKeys ? Array(k.utf8).asciiLowercased() : Array(k.utf8))
                },
                count: false, exclude: false, text: "")
            return values(of: target).first?.value ?? []
        }
        return scalar(variable) ?? []
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
