/// Header fields in received order, duplicates kept, looked up case-insensitively on bytes.
///
/// Names and values live in one byte array (for a parsed head, the head's own bytes, shared, not
/// copied); fields are ranges into it. Values are stored trimmed of leading and trailing OWS.
/// Strings are created only by the String accessors.
public struct HTTPHeaders: Sendable, Sequence, Equatable {
    @usableFromInline
    struct Field: Sendable, Equatable {
        @usableFromInline var name: Range<Int>
        @usableFromInline var value: Range<Int>

        @usableFromInline
        init(name: Range<Int>, value: Range<Int>) {
            self.name = name
            self.value = value
        }
    }

    var storage: [UInt8]
    @usableFromInline var fields: [Field]

    /// An empty header list (for headers a caller adds when serializing).
    public init() {
        storage = []
        fields = []
    }

    init(storage: [UInt8], fields: [Field]) {
        self.storage = storage
        self.fields = fields
    }

    /// Creates headers from pairs; pairs that are not a valid token name and field value are skipped.
    public init(_ pairs: [(name: String, value: String)]) {
        self.init()
        for pair in pairs { add(name: pair.name, value: pair.value) }
    }

    /// Calls `body` with the byte ranges of each field's name and value (OWS-trimmed), in received order,
    /// without creating slices. For a parsed request head the ranges index `HTTPRequestHead.rawBytes`.
    @inlinable
    public func forEachFieldRange(_ body: (_ name: Range<Int>, _ value: Range<Int>) throws -> Void) rethrows {
        for field in fields { try body(field.name, field.value) }
    }

    /// Number of field lines.
    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// Name bytes of field `index` (a slice of shared storage, no copy).
    public func nameBytes(at index: Int) -> ArraySlice<UInt8> { storage[fields[index].name] }
    /// Value bytes of field `index`, OWS-trimmed (a slice of shared storage, no copy).
    public func valueBytes(at index: Int) -> ArraySlice<UInt8> { storage[fields[index].value] }
    /// Name of field `index`, as received (case preserved).
    public func name(at index: Int) -> String { String(decoding: nameBytes(at: index), as: UTF8.self) }
    /// Value of field `index`; obs-text bytes that are not UTF-8 become U+FFFD.
    public func value(at index: Int) -> String { String(decoding: valueBytes(at: index), as: UTF8.self) }

    /// Field `index` as a (name, value) pair.
    public subscript(index: Int) -> (name: String, value: String) { (name(at: index), value(at: index)) }

    /// Whether field `index` has this name, ASCII case-insensitively.
    public func nameEquals(at index: Int, _ name: some Collection<UInt8>) -> Bool {
        let range = fields[index].name
        guard range.count == name.count else { return false }
        var i = range.lowerBound
        for b in name {
            if ByteClass.lower(storage[i]) != ByteClass.lower(b) { return false }
            i += 1
        }
        return true
    }

    /// Index of the first field with this name (case-insensitive), or nil.
    public func firstIndex(name: String) -> Int? {
        let utf8 = name.utf8
        for i in fields.indices where nameEquals(at: i, utf8) { return i }
        return nil
    }

    /// Value of the first field with this name (case-insensitive), or nil.
    public func first(name: String) -> String? {
        firstIndex(name: name).map { value(at: $0) }
    }

    /// Value bytes of the first field with this name (case-insensitive), or nil.
    public func firstBytes(name: String) -> ArraySlice<UInt8>? {
        firstIndex(name: name).map { valueBytes(at: $0) }
    }

    /// Values of every field with this name, in order (not split on commas).
    public func values(name: String) -> [String] {
        let utf8 = name.utf8
        var out: [String] = []
        for i in fields.indices where nameEquals(at: i, utf8) { out.append(value(at: i)) }
        return out
    }

    /// Whether a field with this name is present (case-insensitive).
    public func contains(name: String) -> Bool { firstIndex(name: name) != nil }

    /// Appends a field. Returns false (and adds nothing) unless `name` is a token and `value` holds only
    /// field-value bytes (no CR, LF, NUL or other controls); the value is stored OWS-trimmed.
    @discardableResult
    public mutating func add(name: String, value: String) -> Bool {
        let nameBytes = Array(name.utf8)
        var valueBytes = Array(value.utf8)[...]
        guard !nameBytes.isEmpty, nameBytes.allSatisfy(ByteClass.isToken) else { return false }
        guard valueBytes.allSatisfy(ByteClass.isFieldValue) else { return false }
        while let f = valueBytes.first, f == .sp || f == .htab { valueBytes.removeFirst() }
        while let l = valueBytes.last, l == .sp || l == .htab { valueBytes.removeLast() }
        let n0 = storage.count
        storage.append(contentsOf: nameBytes)
        let v0 = storage.count
        storage.append(contentsOf: valueBytes)
        fields.append(Field(name: n0..<v0, value: v0..<storage.count))
        return true
    }

    /// Removes every field with this name (case-insensitive). The bytes stay in storage until the value is dropped.
    public mutating func remove(name: String) {
        let utf8 = name.utf8
        fields.removeAll { field in
            guard field.name.count == utf8.count else { return false }
            return zip(storage[field.name], utf8).allSatisfy { ByteClass.lower($0) == ByteClass.lower($1) }
        }
    }

    /// Iterates fields in order as (name, value) Strings.
    public struct Iterator: IteratorProtocol {
        let headers: HTTPHeaders
        var index = 0
        public mutating func next() -> (name: String, value: String)? {
            guard index < headers.count else { return nil }
            defer { index += 1 }
            return headers[index]
        }
    }

    public func makeIterator() -> Iterator { Iterator(headers: self) }

    /// Equal when the same names (byte-exact, case preserved) and values appear in the same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for i in 0..<lhs.count {
            if lhs.nameBytes(at: i) != rhs.nameBytes(at: i) || lhs.valueBytes(at: i) != rhs.valueBytes(at: i) {
                return false
            }
        }
        return true
    }
}
