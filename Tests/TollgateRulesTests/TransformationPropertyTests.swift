import PropertyBased
import Testing

@testable import TollgateRules

/// Bytes that steer the decoders into their escape paths.
let interestingBytes: [UInt8] =
    Array("%uUxX\\&#;0123456789abcdefABCDEF/.*-<!>+ \t\n'\"^,(".utf8) + [
        0, 0x80, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xFF, 0xA0, 0xBF,
    ]

@Suite struct TransformationPropertyTests {
    @Test func noTransformationTrapsOnRandomBytes() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...64)) { bytes in
            for transformation in Transformation.allCases {
                _ = transformation.apply(bytes)
            }
        }
    }

    @Test func noTransformationTrapsOnEscapeHeavyBytes() async {
        await propertyCheck(count: 500, input: Gen.element(of: interestingBytes).map { $0 ?? 0 }.array(of: 0...48)) {
            bytes in
            for transformation in Transformation.allCases {
                let output = transformation.apply(bytes)
                switch transformation {
                case .urlDecode, .urlDecodeUni, .jsDecode, .htmlEntityDecode, .cssDecode, .escapeSeqDecode,
                    .removeNulls,
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
        await propertyCheck(count: 300, input: Gen.element(of: Array("/.ab\\".utf8)).map { $0 ?? 0 }.array(of: 0...24))
        { bytes in
            let once = Transformation.normalizePath.apply(bytes)
            #expect(Transformation.normalizePath.apply(once) == once)
        }
    }

    /// The no-change fast paths in `apply` agree with the full implementations.
    @Test func fastPathsAgreeWithFullImplementations() async {
        let pool = interestingBytes + Array("AZaz/.\\ \t#*-".utf8)
        await propertyCheck(count: 500, input: Gen.element(of: pool).map { $0 ?? 0 }.array(of: 0...24)) { bytes in
            #expect(Transformation.urlDecode.apply(bytes) == Decoders.urlDecode(bytes, unicode: false))
            #expect(Transformation.urlDecodeUni.apply(bytes) == Decoders.urlDecode(bytes, unicode: true))
            #expect(Transformation.jsDecode.apply(bytes) == Decoders.jsDecode(bytes))
            #expect(Transformation.htmlEntityDecode.apply(bytes) == Decoders.htmlEntityDecode(bytes))
            #expect(Transformation.cssDecode.apply(bytes) == Decoders.cssDecode(bytes))
            #expect(Transformation.escapeSeqDecode.apply(bytes) == Decoders.escapeSequenceDecode(bytes))
            #expect(Transformation.utf8toUnicode.apply(bytes) == Decoders.utf8ToUnicode(bytes))
            #expect(Transformation.compressWhitespace.apply(bytes) == Normalizers.compressWhitespace(bytes))
            #expect(Transformation.replaceComments.apply(bytes) == Comments.replaceComments(bytes))
            #expect(Transformation.removeComments.apply(bytes) == Comments.removeComments(bytes))
            #expect(Transformation.removeCommentsChar.apply(bytes) == Comments.removeCommentsChar(bytes))
            #expect(Transformation.sqlHexDecode.apply(bytes) == Hex.sqlHexDecode(bytes))
            #expect(Transformation.lowercase.apply(bytes) == bytes.map(ByteSearch.lower))
            #expect(Transformation.removeNulls.apply(bytes) == bytes.filter { $0 != 0 })
        }
    }

    @Test func normalizePathFastPathAgrees() async {
        let pool = Array("/.ab\\".utf8)
        await propertyCheck(count: 500, input: Gen.element(of: pool).map { $0 ?? 0 }.array(of: 0...16)) { bytes in
            for windows in [false, true] {
                #expect(
                    Normalizers.normalizePath(bytes, windows: windows)
                        == Normalizers.normalizePathFully(bytes, windows: windows))
            }
        }
    }

    @Test func cmdLineFastPathAgrees() {
        for text in ["ls", "cat/etc/passwd", "a(b)", "", "x|y&z"] {
            #expect(Transformation.cmdLine.apply(Array(text.utf8)) == Array(text.utf8))
        }
    }
}
