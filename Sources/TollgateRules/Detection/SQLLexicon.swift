/// The word lists of the SQL injection detector (lowercase ASCII).
enum SQLLexicon {
    static func set(_ words: [String]) -> Set<[UInt8]> { Set(words.map { Array($0.utf8) }) }

    /// Words that start a statement.
    static let statements = set([
        "select", "insert", "update", "delete", "drop", "create", "alter", "truncate", "exec", "execute",
        "declare", "shutdown", "waitfor", "grant", "revoke", "merge", "replace", "call", "handler", "rename",
    ])

    static let logic = set(["and", "or", "xor", "having"])

    static let wordOperators = set([
        "like", "rlike", "regexp", "is", "in", "between", "div", "mod", "not", "sounds", "collate", "escape",
        "glob", "match", "ilike", "similar",
    ])

    static let unions = set(["union", "intersect", "except", "minus"])

    static let keywords = set([
        "from", "where", "table", "tables", "into", "values", "database", "databases", "schema", "procedure",
        "function", "view", "index", "trigger", "user", "login", "join", "on", "as", "all", "distinct", "top",
        "limit", "offset", "order", "group", "by", "set", "null", "true", "false", "case", "when", "then",
        "else", "end", "exists", "delay", "time", "outfile", "dumpfile", "information_schema", "column",
        "columns", "asc", "desc", "cast", "convert", "char", "nchar", "varchar", "int", "declare", "begin",
        "if", "while", "return", "returns", "sysobjects", "syscolumns", "load_file", "pg_sleep", "sleep",
        "benchmark",
    ])

    /// The class of a word in one lookup, by the tokenizer's priority: union, logic, word operator, statement,
    /// then keyword (a word in two lists takes the earlier one).
    static let wordKinds: [[UInt8]: SQLToken.Kind] = {
        var kinds: [[UInt8]: SQLToken.Kind] = [:]
        for (list, kind) in [
            (keywords, SQLToken.Kind.keyword), (statements, .statement), (wordOperators, .op), (logic, .logic),
            (unions, .union),
        ] {
            for word in list { kinds[word] = kind }
        }
        return kinds
    }()

    /// The longest word of `wordKinds`: a longer word is a bare word or a call without a lookup.
    static let longestWord = wordKinds.keys.map(\.count).max() ?? 0

    /// One bit per (length, first byte, last byte) that a word of `wordKinds` has, hashed into 4,096: most words
    /// of a value (names, prose) have none, and skip the dictionary's hashing.
    static let wordShapes: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 64)
        for word in wordKinds.keys {
            guard let first = word.first, let last = word.last else { continue }
            let shape = Self.shape(count: word.count, first: first, last: last)
            bits[shape >> 6] |= 1 << UInt64(shape & 63)
        }
        return bits
    }()

    @inline(__always)
    static func shape(count: Int, first: UInt8, last: UInt8) -> Int {
        (count &* 31 &+ Int(first) &* 131 &+ Int(last) &* 17) & 4095
    }

    /// The class of `word` (lowercase), or nil for a bare word.
    static func kind(of word: [UInt8]) -> SQLToken.Kind? {
        guard word.count <= longestWord, let first = word.first, let last = word.last else { return nil }
        let shape = shape(count: word.count, first: first, last: last)
        guard wordShapes[shape >> 6] & (1 << UInt64(shape & 63)) != 0 else { return nil }
        return wordKinds[word]
    }

    /// Functions whose call is itself an attack signal (time delays, out-of-band and error-based extraction).
    static let dangerousFunctions = set([
        "sleep", "benchmark", "pg_sleep", "extractvalue", "updatexml", "load_file", "xmltype", "dbms_pipe",
        "utl_inaddr", "utl_http", "dbms_lock", "randomblob", "dbms_xmlgen", "sys_eval", "sys_exec", "xp_cmdshell",
        "waitfor", "exp", "geometrycollection", "polygon", "multipoint", "multilinestring", "multipolygon",
        "linestring", "name_const", "json_keys", "gtid_subset", "make_set", "elt", "ctxsys", "dbms_utility",
        "openrowset", "opendatasource", "load_extension",
    ])

    /// Time-delay functions: their argument must read as a number or an expression (`sleep(5)`).
    static let delayFunctions = set(["sleep", "benchmark", "pg_sleep"])

    /// Functions common in injected expressions (string building, fingerprinting the server).
    static let sqlFunctions = set([
        "char", "chr", "concat", "concat_ws", "group_concat", "ascii", "ord", "substring", "substr", "mid",
        "version", "database", "user", "current_user", "system_user", "session_user", "schema", "hex", "unhex",
        "cast", "convert", "count", "if", "ifnull", "iif", "coalesce", "length", "len", "md5", "sha1", "select",
        "case", "nullif", "lower", "upper", "reverse", "left", "right", "row", "floor", "rand", "exists",
        "db_name", "user_name", "host_name", "suser_name", "@@version", "instr", "locate", "position",
        "to_char", "to_number", "strcmp", "str", "nvl", "decode", "ascii_str",
    ])

    /// Objects of `drop`/`create`/`alter`/`truncate`.
    static let schemaObjects = set([
        "table", "database", "schema", "view", "procedure", "function", "index", "trigger", "user", "login",
        "column", "temporary", "sequence",
    ])
}
