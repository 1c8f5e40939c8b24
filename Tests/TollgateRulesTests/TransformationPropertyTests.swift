import PropertyBased
import Testing

@testable import TollgateRules

/// Bytes that steer the decoders into their escape paths.
let interestingBytes: [UInt8] = Array("%uUxX\\&#;0123456789abcdefABCDEF/.*-<!>+ \t\n'\"^,(".utf8) + [0, 0x80, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xFF, 0xA0, 0xBF]

@Suite struct TransformationPropertyTests {
    @Test func noTransformationTrapsOnRandomBytes() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...64)) { bytes in
            for transformation in Transformation.allCases {
                _ = transformation.apply(bytes)
            }
        }
    }

    @Test func noTransformationTrapsOnEscapeHeavyBytes() async {
        await propertyCheck(count: 500, input: Gen.element(of: interestingBytes).map { $0 ?? 0 }.array(of: 0...48)) { bytes in
            for transformation in Transformation.allCases {
                let output = transformation.apply(bytes)
                switch transformation {
                case .urlDecode, .urlDecodeUni, .jsDecode, .htmlEntityDecode, .cssDecode, .escapeSeqDecode, .removeNulls,
                    .removeWhitespace, .compressWhitespace, .replaceComments, .removeComments, .removeCommentsChar,
                    .trim, .trimLeft, .trimRight, .hexDecode, .sqlHexDecode, .base64Decode, .base64DecodeExt, .cmdLine:
                    // Decoders and removers never grow their input.
                    #expect(output.count <= bytes.count)
                case .lowercase, .uppercase, .replaceNulls, .none:
                    #expect(output.count == bytes.count)
                default:
                    break
                }
            }
        }
    }

    @Test func lowercaseIsIdempotent() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...64)) { bytes in
            let once = Transformation.lowercase.apply(bytes)
            #expect(Transformation.lowercase.apply(once) == once)
        }
    }

    @Test func normalizePathIsIdempotent() async {
        await propertyCheck(count: 300, input: Gen.element(of: Array("/.ab\\".utf8)).map { $0 ?? 0 }.array(of: 0...24)) { bytes in
            let once = Transformation.normalizePath.apply(bytes)
            #expect(Transformation.normalizePath.apply(once) == once)
        }
    }
}
