/// What a rule does when it matches (its disruptive action).
package enum DisruptiveAction: Sendable, Equatable {
    case pass
    /// `block`: replaced by the phase's `SecDefaultAction` disruptive action at evaluation.
    case block
    case deny
    case drop
    /// `allow`, `allow:phase`, `allow:request`.
    case allow(AllowScope)
    case redirect(MacroStringBox)

    package enum AllowScope: Sendable, Equatable {
        case all, phase, request
    }
}

/// Equatable wrapper so `DisruptiveAction` stays Equatable (macros compare by text).
package struct MacroStringBox: Sendable, Equatable {
    package var macro: MacroString
    package static func == (a: Self, b: Self) -> Bool { a.macro.text == b.macro.text }
}

/// `setvar:` operation. A class: the rule loop passes it by reference (one retain, not one per field).
package final class SetVarAction: Sendable {
    package enum Operation: Sendable {
        case set(MacroString)
        case add(MacroString)
        case subtract(MacroString)
        case delete
    }
    package let collection: Variable
    /// Key with macros (e.g. `header_name_920450_%{tx.0}`).
    package let key: MacroString
    package let operation: Operation
    /// For a constant key: its bytes and lowercase form, computed at load (no String work per setvar).
    package let keyBytes: [UInt8]?
    package let keyLowercased: [UInt8]?
    /// `KeyedStore.hash` of `keyLowercased` (0 without a constant key).
    let keyHash: UInt64

    package init(collection: Variable, key: MacroString, operation: Operation) {
        self.collection = collection
        self.key = key
        self.operation = operation
        (keyBytes, keyLowercased) = Self.constantKey(key)
        keyHash = keyLowercased.map(KeyedStore.hash) ?? 0
    }

    private static func constantKey(_ key: MacroString) -> ([UInt8]?, [UInt8]?) {
        guard key.isConstant else { return (nil, nil) }
        let bytes = Array(key.text.utf8)
        return (bytes, bytes.asciiLowercased())
    }
}

/// `ctl:` operation.
package enum ControlAction: Sendable {
    case ruleEngine(EngineMode)
    case ruleRemoveByID([ClosedRange<Int>])
    case ruleRemoveByTag(String)
    case ruleRemoveByMsg(String)
    case ruleRemoveTargetByID([ClosedRange<Int>], VariableTarget)
    case ruleRemoveTargetByTag(String, VariableTarget)
    case ruleRemoveTargetByMsg(String, VariableTarget)
    case requestBodyProcessor(String)
    case requestBodyAccess(Bool)
    case responseBodyAccess(Bool)
    case forceRequestBodyVariable(Bool)
    case auditEngine(String)
    case auditLogParts(String)
    case requestBodyLimit(Int)
    case responseBodyLimit(Int)
    case parseXMLIntoArgs(String)
}

/// SecRuleEngine value.
public enum EngineMode: String, Sendable, Equatable {
    case on = "On"
    case off = "Off"
    case detectionOnly = "DetectionOnly"
}

/// The actions of one rule (or chain link), parsed and checked at load.
package struct RuleActions: Sendable {
    package var id: Int?
    package var phase: Int?
    package var message: MacroString?
    package var logData: MacroString?
    package var tags: [String] = []
    package var severity: Int?
    package var version: String?
    package var revision: String?
    package var maturity: String?
    package var accuracy: String?
    package var capture = false
    package var multiMatch = false
    package var chain = false
    package var setVars: [SetVarAction] = []
    package var controls: [ControlAction] = []
    package var skip = 0
    package var skipAfter: String?
    package var disruptive: DisruptiveAction?
    package var status: Int?
    package var log: Bool?
    package var auditLog: Bool?
    /// `t:` list as written; `t:none` clears what came before (including defaults).
    package var transformations: [Transformation] = []
    /// Whether `t:none` appeared (defaults are then not inherited).
    package var transformationsReset = false
    package var hasTransformations = false
}
