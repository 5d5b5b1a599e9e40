import Foundation
import Testing
@testable import Serving

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Data(text.utf8)) }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5, 3e2, -0, 0.125e-1, 123456789012345678], "b": {"c": null, "d": true, "e": false}, "s": "x\"\\\/\n\t\u00e9\ud83d\ude00", "": []} "#)
        #expect(value["a"] == .array([.number(1), .number(-2.5), .number(300), .number(0), .number(0.0125), .number(1.2345678901234568e17)]))
        #expect(value["b"] == .object(["c": .null, "d": .bool(true), "e": .bool(false)]))
        #expect(value["s"] == .string("x\"\\/\n\té😀"))
        #expect(value[""] == .array([]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
        #expect(try parse("\"plain\"") == .string("plain"))
    }

    /// Numbers agree with Foundation's reading of the same text.
    @Test func numbersMatchFoundation() throws {
        for text in ["0", "7", "-13", "3.14159", "1e-7", "-2.5E+3", "0.1", "999999999999999", "1234567890123456789", "6.02214076e23"] {
            let expected = try #require(Double(text))
            #expect(try parse(text) == .number(expected), "\(text)")
        }
    }

    @Test func rejectsMalformedDocuments() {
        let cases = [
            "", "{", "[1,]", "[1 2]", "{\"a\" 1}", "{a: 1}", "01", "1.", "-", "1e", "tru", "nul", "\"open",
            "\"bad \\q escape\"", "\"tab\tinside\"", "[1] 2", "+1", ".5", "NaN", "1e999",
        ]
        for text in cases {
            #expect(throws: ServingError.self, "\(text)") { try parse(text) }
        }
        let error = #expect(throws: ServingError.self) { try parse("[1, 2, x]") }
        #expect(error?.message == "malformed JSON: unexpected character 'x' at byte 7")
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: ServingError.self) { try parse(deep) }
        #expect(error?.message.contains("nested deeper than 64 levels") == true)
        _ = try parse(String(repeating: "[", count: 60) + String(repeating: "]", count: 60))
    }
}
