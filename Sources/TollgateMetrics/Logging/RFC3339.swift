#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// RFC 3339 timestamps in UTC with millisecond precision, e.g. `2026-11-29T08:26:35.123Z`.
///
/// Formatted by arithmetic (proleptic Gregorian calendar, days-from-epoch to civil date) rather than
/// `DateFormatter`, so it is cheap and has no locale or time-zone state.
public enum RFC3339 {
    /// Milliseconds since 1970-01-01T00:00:00Z from the real-time clock.
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Formats `milliseconds` since the Unix epoch (negative values are before 1970).
    public static func format(milliseconds: Int64) -> String {
        let millis = Int(milliseconds - (milliseconds.floorDiv(1000) * 1000))
        let seconds = milliseconds.floorDiv(1000)
        let days = seconds.floorDiv(86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var out = ""
        out.reserveCapacity(24)
        out += pad(Int(year), 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        out += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        out += "." + pad(millis, 3) + "Z"
        return out
    }

    /// Year, month (1...12) and day (1...31) of a day count since 1970-01-01.
    ///
    /// Works in 400-year eras starting on March 1st so that the leap day falls at the end of a year.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468  // days from 0000-03-01 to 1970-01-01
        let era = shifted.floorDiv(146_097)
        let dayOfEra = shifted - era * 146_097  // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365, from March 1
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March ... 11 = February
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
