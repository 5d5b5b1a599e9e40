import Foundation
import RingmasterCore
import Testing

/// The filter language as MLflow users write it, and one-line errors that point at the problem.
@Suite struct RunFilterParserTests {
    func parse(_ text: String) throws -> RunFilter? { try RunFilterParser.parse(text) }

    func error(_ text: String) -> RunFilterError? {
        do {
            _ = try RunFilterParser.parse(text)
            return nil
        } catch let error as RunFilterError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static let accurate = RunFilter.comparison(.metric("accuracy"), .greater, .number(0.95))
    static let slowRate = RunFilter.comparison(.param("lr"), .equal, .string("0.01"))
    static let vision = RunFilter.comparison(.tag("team"), .equal, .string("vision"))

    @Test func blankIsNoFilter() throws {
        #expect(try parse("") == nil)
        #expect(try parse("   \t ") == nil)
    }

    @Test func mlflowExample() throws {
        #expect(try parse("metrics.accuracy > 0.95 and params.lr = '0.01'") == .and(Self.accurate, Self.slowRate))
    }

    @Test(arguments: [
        ("=", ComparisonOperator.equal), ("==", .equal), ("!=", .notEqual), ("<>", .notEqual), ("<", .less),
        ("<=", .lessOrEqual), (">", .greater), (">=", .greaterOrEqual),
    ])
    func comparisonOperators(spelling: String, op: ComparisonOperator) throws {
        #expect(try parse("metrics.loss \(spelling) 1") == .comparison(.metric("loss"), op, .number(1)))
        // No spaces needed around symbols.
        #expect(try parse("metrics.loss\(spelling)1") == .comparison(.metric("loss"), op, .number(1)))
    }

    @Test func patternOperatorsAnyCase() throws {
        for spelling in ["LIKE", "like", "Like"] {
            #expect(try parse("tags.team \(spelling) 'vis%'") == .comparison(.tag("team"), .like, .string("vis%")))
        }
        for spelling in ["ILIKE", "ilike"] {
            #expect(try parse("params.optimizer \(spelling) '%adam%'") == .comparison(.param("optimizer"), .ilike, .string("%adam%")))
        }
    }

    @Test func membership() throws {
        #expect(try parse("tags.team IN ('vision', \"speech\")")
                == .membership(.tag("team"), [.string("vision"), .string("speech")], negated: false))
        #expect(try parse("params.layers not in (1, 2,3)")
                == .membership(.param("layers"), [.number(1), .number(2), .number(3)], negated: true))
        #expect(try parse("metrics.epoch IN (10)") == .membership(.metric("epoch"), [.number(10)], negated: false))
    }

    @Test func andBindsTighterThanOr() throws {
        let text = "tags.team = 'vision' or metrics.accuracy > 0.95 and params.lr = '0.01'"
        #expect(try parse(text) == .or(Self.vision, .and(Self.accurate, Self.slowRate)))
        let reversed = "metrics.accuracy > 0.95 and params.lr = '0.01' OR tags.team = 'vision'"
        #expect(try parse(reversed) == .or(.and(Self.accurate, Self.slowRate), Self.vision))
    }

    @Test func parenthesesOverridePrecedence() throws {
        let text = "tags.team = 'vision' and (metrics.accuracy > 0.95 or params.lr = '0.01')"
        #expect(try parse(text) == .and(Self.vision, .or(Self.accurate, Self.slowRate)))
        #expect(try parse("((tags.team = 'vision'))") == Self.vision)
    }

    @Test func chainsAssociateLeft() throws {
        let a = RunFilter.comparison(.metric("a"), .equal, .number(1))
        let b = RunFilter.comparison(.metric("b"), .equal, .number(2))
        let c = RunFilter.comparison(.metric("c"), .equal, .number(3))
        #expect(try parse("metrics.a = 1 AND metrics.b = 2 And metrics.c = 3") == .and(.and(a, b), c))
        #expect(try parse("metrics.a = 1 or metrics.b = 2 OR metrics.c = 3") == .or(.or(a, b), c))
    }

    @Test func quoting() throws {
        #expect(try parse("tags.team = \"vision\"") == Self.vision)
        #expect(try parse("tags.note = 'it''s done'") == .comparison(.tag("note"), .equal, .string("it's done")))
        #expect(try parse("tags.note = \"say \"\"hi\"\"\"") == .comparison(.tag("note"), .equal, .string("say \"hi\"")))
        #expect(try parse("tags.note = 'a \"quoted\" word'") == .comparison(.tag("note"), .equal, .string("a \"quoted\" word")))
        #expect(try parse("tags.note = ''") == .comparison(.tag("note"), .equal, .string("")))
        #expect(try parse("tags.note = 'and or ( )'") == .comparison(.tag("note"), .equal, .string("and or ( )")))
    }

    @Test func quotedKeys() throws {
        #expect(try parse("params.`model.hidden` = '64'") == .comparison(.param("model.hidden"), .equal, .string("64")))
        #expect(try parse("metrics.`val loss` < 0.5") == .comparison(.metric("val loss"), .less, .number(0.5)))
        #expect(try parse("tags.\"my tag\" = 'x'") == .comparison(.tag("my tag"), .equal, .string("x")))
        #expect(try parse("params.`a``b` = 'x'") == .comparison(.param("a`b"), .equal, .string("x")))
    }

    @Test func unquotedKeysKeepDotsDashesAndSlashes() throws {
        // As in MLflow, everything after the first dot is the key.
        #expect(try parse("params.optimizer.learning_rate = 0.002")
                == .comparison(.param("optimizer.learning_rate"), .equal, .number(0.002)))
        #expect(try parse("metrics.train/loss < 1") == .comparison(.metric("train/loss"), .less, .number(1)))
        #expect(try parse("tags.mlflow.runName = 'x'") == .comparison(.tag("mlflow.runName"), .equal, .string("x")))
        #expect(try parse("metrics.val-loss<-1") == .comparison(.metric("val-loss"), .less, .number(-1)))
    }

    @Test func singularAndPluralPrefixes() throws {
        for prefix in ["metrics", "metric", "METRICS"] {
            #expect(try parse("\(prefix).loss < 1") == .comparison(.metric("loss"), .less, .number(1)))
        }
        for prefix in ["params", "param", "parameter", "parameters"] {
            #expect(try parse("\(prefix).lr = '1'") == .comparison(.param("lr"), .equal, .string("1")))
        }
        for prefix in ["tags", "tag"] {
            #expect(try parse("\(prefix).team = 'x'") == .comparison(.tag("team"), .equal, .string("x")))
        }
    }

    @Test func attributesWithEveryPrefixAndBare() throws {
        let expected = RunFilter.comparison(.attribute(.runName), .like, .string("digits%"))
        for prefix in ["attributes.", "attribute.", "attr.", "run.", ""] {
            #expect(try parse("\(prefix)run_name LIKE 'digits%'") == expected, "prefix '\(prefix)'")
        }
        #expect(try parse("run_id = 'abc'") == .comparison(.attribute(.runID), .equal, .string("abc")))
        #expect(try parse("experiment = 'digits'") == .comparison(.attribute(.experiment), .equal, .string("digits")))
        #expect(try parse("attributes.end_time < 5") == .comparison(.attribute(.endTime), .less, .number(5)))
        #expect(try parse("created > 5") == .comparison(.attribute(.startTime), .greater, .number(5)))
        #expect(try parse("Status = 'failed'") == .comparison(.attribute(.status), .equal, .string("failed")))
    }

    @Test func statusValuesAreCaseInsensitive() throws {
        for spelling in ["FINISHED", "finished", "Finished"] {
            #expect(try parse("attributes.status = '\(spelling)'") == .comparison(.attribute(.status), .equal, .string("finished")))
        }
        #expect(try parse("status IN ('FAILED', 'KILLED')")
                == .membership(.attribute(.status), [.string("failed"), .string("killed")], negated: false))
        #expect(try parse("status LIKE 'FIN%'") == .comparison(.attribute(.status), .like, .string("fin%")))
    }

    @Test(arguments: [
        ("1", 1.0), ("-1", -1), ("+2", 2), ("0.95", 0.95), ("-0.5", -0.5), (".5", 0.5), ("-.5", -0.5), ("1e-3", 0.001),
        ("2.5E+2", 250), ("-1e2", -100), ("10.", 10),
    ])
    func numbers(spelling: String, value: Double) throws {
        #expect(try parse("metrics.x = \(spelling)") == .comparison(.metric("x"), .equal, .number(value)))
    }

    @Test func timesTakeSecondsMillisecondsOrDates() throws {
        #expect(try parse("start_time > 1700000000") == .comparison(.attribute(.startTime), .greater, .number(1_700_000_000)))
        // MLflow's milliseconds.
        #expect(try parse("attributes.start_time > 1700000000000") == .comparison(.attribute(.startTime), .greater, .number(1_700_000_000)))
        #expect(try parse("end_time <= '2023-11-14T22:13:20Z'") == .comparison(.attribute(.endTime), .lessOrEqual, .number(1_700_000_000)))
        #expect(try parse("start_time >= '2023-11-14T23:13:20+01:00'")
                == .comparison(.attribute(.startTime), .greaterOrEqual, .number(1_700_000_000)))
        let local = try #require(DateComponents(calendar: .current, timeZone: .current, year: 2024, month: 5, day: 1).date)
        #expect(try parse("start_time > '2024-05-01'") == .comparison(.attribute(.startTime), .greater, .number(local.timeIntervalSince1970)))
    }

    @Test func fieldsAreListedOnceInOrder() throws {
        let filter = try #require(try parse("metrics.a > 1 and (params.b = '2' or metrics.a < 3) and status = 'failed'"))
        #expect(filter.fields == [.metric("a"), .param("b"), .attribute(.status)])
    }

    // MARK: Errors

    @Test func errorsNameThePositionAndWhatWasExpected() {
        #expect(error("metrics.accuracy > ")?.description == "filter: position 20: expected a value after '>', found end of input")
        #expect(error("metrics.accuracy > 0.9 and")?.description
                == "filter: position 27: expected a field such as metrics.accuracy, params.lr or status after 'and', found end of input")
        #expect(error("metrics.accuracy 0.9")?.description
                == "filter: position 18: expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after 'metrics.accuracy', found '0.9'")
    }

    @Test(arguments: [
        // (text, position, words the message must contain)
        ("metrics.a > 1 metrics.b < 2", 15, ["expected 'and', 'or'", "'metrics.b'"]),
        ("(metrics.a > 1", 15, ["expected ')'", "position 1"]),
        ("metrics.a > 1)", 14, ["')' without a matching '('"]),
        ("tags.team = 'vision", 13, ["unterminated"]),
        ("status = FINISHED", 10, ["expected a value", "quote text: 'FINISHED'"]),
        ("accuracy > 0.9", 1, ["unknown field 'accuracy'", "metrics.accuracy"]),
        ("metricz.accuracy > 0.9", 1, ["unknown field 'metricz.accuracy'"]),
        ("attributes.user_id = 'me'", 1, ["unknown attribute 'user_id'", "run_name"]),
        ("metrics. > 1", 1, ["expected a key after 'metrics.'"]),
        ("metrics.accuracy > 'high'", 20, ["is a number", "'high'"]),
        ("metrics.accuracy LIKE '9%'", 23, ["is a number"]),
        ("params.lr LIKE 0.1", 16, ["quoted pattern"]),
        ("status = 'DONE'", 10, ["unknown status 'DONE'", "FINISHED"]),
        ("status = 1", 10, ["status is text"]),
        ("start_time > 'yesterday'", 14, ["start_time", "'2024-05-01'"]),
        ("tags.team IN 'vision'", 14, ["expected '(' after 'IN'"]),
        ("tags.team IN ()", 15, ["expected a value after '('", "')'"]),
        ("tags.team IN ('a' 'b')", 19, ["expected ',' or ')'"]),
        ("tags.team IN ('a', 1)", 20, ["mixes numbers and text"]),
        ("tags.team NOT LIKE 'a'", 15, ["expected IN after NOT"]),
        ("metrics.a > 1..2", 13, ["malformed number"]),
        ("metrics.a > 12abc", 13, ["malformed number '12abc'"]),
        ("metrics.a ! 1", 11, ["'!='"]),
        ("metrics.a > 1 and and", 19, ["expected a field", "'and'"]),
        ("metrics.a > 1 ; drop", 15, ["unexpected character ';'"]),
        ("`metrics.a` > 1", 1, ["backquotes"]),
        ("params.`` = 1", 8, ["empty key"]),
        ("or metrics.a > 1", 1, ["expected a field", "'or'"]),
    ])
    func badFilters(text: String, position: Int, words: [String]) throws {
        let failure = try #require(error(text), "'\(text)' parsed")
        #expect(failure.position == position, "\(failure)")
        #expect(failure.source == "filter")
        for word in words { #expect(failure.message.contains(word), "'\(word)' not in: \(failure)") }
        #expect(!failure.description.contains("\n"))
    }
}
