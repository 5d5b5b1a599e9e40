import RingmasterCore
import Testing

@Suite struct RunOrderParserTests {
    @Test func ascendingIsTheDefault() throws {
        #expect(try RunOrderParser.parse("metrics.accuracy") == [RunOrder(field: .metric("accuracy"), ascending: true)])
        #expect(try RunOrderParser.parse("") == [])
    }

    @Test func listWithDirectionsInAnyCase() throws {
        let orders = try RunOrderParser.parse("metrics.accuracy DESC, params.lr asc,start_time desc , tags.`team name`")
        #expect(orders == [
            RunOrder(field: .metric("accuracy"), ascending: false),
            RunOrder(field: .param("lr"), ascending: true),
            RunOrder(field: .attribute(.startTime), ascending: false),
            RunOrder(field: .tag("team name"), ascending: true),
        ])
    }

    @Test(arguments: [
        ("metrics.accuracy DESC,", 23, "expected a field such as metrics.accuracy, params.lr or status after ',', found end of input"),
        ("metrics.accuracy DOWN", 18, "expected ASC, DESC, ',' or the end, found 'DOWN'"),
        ("DESC", 1, "expected a field such as metrics.accuracy, params.lr or status, found 'DESC'"),
        ("accuracy DESC", 1, "unknown field 'accuracy'"),
    ])
    func errors(text: String, position: Int, message: String) throws {
        let failure = try #require(throws: RunFilterError.self) { try RunOrderParser.parse(text) }
        #expect(failure.source == "order-by")
        #expect(failure.position == position, "\(failure)")
        #expect(failure.message.hasPrefix(message), "\(failure)")
    }

    @Test func fieldLists() throws {
        #expect(try RunFieldListParser.parse("metrics.x,params.y, status")
                == [.metric("x"), .param("y"), .attribute(.status)])
        let failure = try #require(throws: RunFilterError.self) { try RunFieldListParser.parse("metrics.x params.y") }
        #expect(failure.description == "columns: position 11: expected ',' or the end, found 'params.y'")
    }
}
