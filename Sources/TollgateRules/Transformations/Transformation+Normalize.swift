/// Whitespace, command-line and path normalizers behind `t:cmdLine`, `t:compressWhitespace`,
/// `t:removeWhitespace`, `t:trim*` and `t:normalizePath(Win)`.
enum Normalizers {
    /// C `isspace` plus the Latin-1 non-breaking space (0xA0), the set ModSecurity's whitespace
    /// transformations use.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { ByteSearch.isSpace(byte) || byte == 0xA0 }

    /// Each run of whitespace becomes one space.
    static func compressWhitespace(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var inSpace = false
        for byte in input {
            if isWhitespace(byte) {
                if !inSpace { output.append(0x20) }
                inSpace = true
            } else {
                output.append(byte)
                inSpace = false
            }
        }
        return output
    }

    /// True when `compressWhitespace` would change `input`: some whitespace other than a single space.
    static func needsCompression(_ input: [UInt8]) -> Bool {
        var previousSpace = false
        for byte in input {
            if isWhitespace(byte) {
                if byte != 0x20 || previousSpace { return true }
                previousSpace = true
            } else {
                previousSpace = false
            }
        }
        return false
    }

    /// Removes leading and/or trailing whitespace (C `isspace`).
    static func trim(_ input: [UInt8], left: Bool, right: Bool) -> [UInt8] {
        var start = 0
        var end = input.count
        if left { while start < end && ByteSearch.isSpace(input[start]) { start += 1 } }
        if right { while end > start && ByteSearch.isSpace(input[end - 1]) { end -= 1 } }
        if start == 0 && end == input.count { return input }
        return Array(input[start..<end])
    }

    /// `t:cmdLine`: deletes `\ " ' ^`; turns `,` `;` and whitespace into one space (runs compressed); deletes a
    /// space before `/` and `(`; lowercases ASCII.
    static func cmdLine(_ input: [UInt8]) -> [UInt8] {
        let untouched = !input.contains { byte in
            (byte >= 0x41 && byte <= 0x5A) || ByteSearch.isSpace(byte) || byte == UInt8(ascii: "\\")
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "^")
                || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";")
        }
        if untouched { return input }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var lastWasSpace = false
        for byte in input {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "^"):
                continue
            case UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
                if !lastWasSpace {
                    output.append(0x20)
                    lastWasSpace = true
                }
            case UInt8(ascii: "/"), UInt8(ascii: "("):
                if lastWasSpace { output.removeLast() }
                output.append(byte)
                lastWasSpace = false
            default:
                output.append(ByteSearch.lower(byte))
                lastWasSpace = false
            }
        }
        return output
    }

    /// False when `normalizePath` cannot change `input`: no backslash (Windows), no `//`, no `/.`, no leading `.`.
    static func pathNeedsWork(_ input: [UInt8], windows: Bool) -> Bool {
        if input.first == UInt8(ascii: ".") { return true }
        var previous: UInt8 = 0
        for byte in input {
            if windows && byte == UInt8(ascii: "\\") { return true }
            if previous == UInt8(ascii: "/") && (byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".")) { return true }
            previous = byte
        }
        return false
    }

    /// `t:normalizePath`: collapses repeated slashes and removes `.` segments; a `..` segment removes the
    /// segment before it (never climbing above the root of an absolute path; kept when a relative path has
    /// nothing left to remove). A trailing slash (or trailing `.`/`..` segment) is kept as a trailing slash.
    /// With `windows`, backslashes are turned into slashes first.
    static func normalizePath(_ input: [UInt8], windows: Bool) -> [UInt8] {
        if input.isEmpty || !pathNeedsWork(input, windows: windows) { return input }
        return normalizePathFully(input, windows: windows)
    }

    /// `normalizePath` without the no-change fast path.
    static func normalizePathFully(_ input: [UInt8], windows: Bool) -> [UInt8] {
        if input.isEmpty { return input }
        let slash = UInt8(ascii: "/")
        let path = windows ? input.map { $0 == UInt8(ascii: "\\") ? slash : $0 } : input
        let absolute = path[0] == slash
        var segments: [ArraySlice<UInt8>] = []
        var trailingSlash = path[path.count - 1] == slash
        var start = 0
        let dot = UInt8(ascii: ".")
        for index in 0...path.count where index == path.count || path[index] == slash {
            let segment = path[start..<index]
            start = index + 1
            if segment.isEmpty { continue }
            let isLast = index == path.count
            if segment.count == 1 && segment.first == dot {
                if isLast { trailingSlash = true }
                continue
            }
            if segment.count == 2 && segment.first == dot && segment.last == dot {
                if isLast { trailingSlash = true }
                if let top = segments.last, !(top.count == 2 && top.first == dot && top.last == dot) {
                    segments.removeLast()
                } else if !absolute {
                    segments.append(segment)
                }
                continue
            }
            segments.append(segment)
        }
        var output: [UInt8] = []
        output.reserveCapacity(path.count)
        if absolute { output.append(slash) }
        for (position, segment) in segments.enumerated() {
            if position > 0 { output.append(slash) }
            output.append(contentsOf: segment)
        }
        if trailingSlash && !segments.isEmpty { output.append(slash) }
        return output
    }
}
