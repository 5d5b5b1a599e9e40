import Datasets
import Testing

@Suite struct CSVReaderTests {
    @Test func readsNumericTable() throws {
        let path = try temporaryFile("small.csv", "a,b,label\n1,2,0\n3,4.5,1\n")
        let data = try DatasetReader.read(path: path)
        #expect(data.source == path)
        #expect(data.featureNames == ["a", "b"])
        #expect(data.labelName == "label")
        #expect(data.features == [1, 2, 3, 4.5])
        #expect(data.labels == [0, 1])
        #expect(data.rowCount == 2 && data.featureCount == 2)
        #expect(data.classNames == nil)
        #expect(data.isIntegerLabeled && data.classCount == 2)
        // sha256 of the file's bytes, from `printf 'a,b,label\n1,2,0\n3,4.5,1\n' | sha256sum`.
        #expect(data.fingerprint == "288c6cf4da32cbceb3acef86a9e58504ca7f0f2095d9cb080101a972fed931ce")
    }

    @Test func labelColumnMayBeAnywhereAndChosenByName() throws {
        let path = try temporaryFile("y.csv", "y,label,target\n7.5,1,2\n-2,3,4\n")
        let byName = try DatasetReader.read(path: path, label: "y")
        #expect(byName.featureNames == ["label", "target"])
        #expect(byName.features == [1, 2, 3, 4])
        #expect(byName.labels == [7.5, -2])
        #expect(!byName.isIntegerLabeled && byName.classCount == 0)
        #expect(byName.schema.label == .init(name: "y", type: .float))

        let byDefault = try DatasetReader.read(path: path)
        #expect(byDefault.labelName == "label" && byDefault.featureNames == ["y", "target"])

        let target = try DatasetReader.read(path: try temporaryFile("t.csv", "x,target\n1,5\n"))
        #expect(target.labelName == "target" && target.labels == [5])
    }

    @Test func quotedFieldsFollowRFC4180() throws {
        // Quoted header names and values, a doubled quote and a line break inside a quoted
        // label, CRLF line ends, a byte order mark and no newline after the last row.
        let text = "\u{FEFF}\"x, first\",\"y\",label\r\n\"1.5\",2,\"say \"\"hi\"\"\nthere\"\r\n3,\" 4 \",plain"
        let data = try DatasetReader.read(path: try temporaryFile("quoted.csv", text))
        #expect(data.featureNames == ["x, first", "y"])
        #expect(data.features == [1.5, 2, 3, 4])
        #expect(data.classNames == ["plain", "say \"hi\"\nthere"])
        #expect(data.labels == [1, 0])
    }

    @Test func textLabelsBecomeSortedClassIndices() throws {
        let text = "petal,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n"
        let data = try DatasetReader.read(path: try temporaryFile("iris.csv", text), label: "species")
        #expect(data.classNames == ["setosa", "versicolor", "virginica"])
        #expect(data.labels == [2, 0, 1, 0])
        #expect(data.classCount == 3)
        let schema = data.schema
        #expect(schema.features == [.init(name: "petal", type: .float)])
        #expect(schema.label == .init(name: "species", type: .categorical, categories: data.classNames))
        #expect(schema.json.contains("\"categories\":[\"setosa\",\"versicolor\",\"virginica\"]"))
    }

    @Test func trailingEmptyLinesAreIgnored() throws {
        let data = try DatasetReader.read(path: try temporaryFile("t.csv", "a,label\n1,0\n2,1\n\n\r\n\n"))
        #expect(data.rowCount == 2)
    }

    @Test func wrongFieldCountNamesFileAndLine() throws {
        let path = try temporaryFile("short.csv", "a,b,label\n1,2,0\n3,1\n")
        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
        #expect(error?.code == .malformedRow)
        #expect(error?.line == 3)
        #expect(error?.description == "\(path):3: expected 3 fields as in the header, found 2")
    }

    @Test func lineNumbersCountBreaksInsideQuotes() throws {
        let path = try temporaryFile("multi.csv", "a,label\n1,\"two\nlines\"\n2,x\n3,\n")
        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
        #expect(error?.code == .missingValue)
        #expect(error?.line == 5)
        #expect(error?.column == "label")
    }

    @Test func nonNumericFeatureNamesLineAndColumn() throws {
        let path = try temporaryFile("bad.csv", "age,label\n31,0\nthirty,1\n")
        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
        #expect(error?.code == .invalidValue)
        #expect(error?.description == "\(path):3: column 'age': 'thirty' is not a finite number")
    }

    @Test func emptyAndNonFiniteValuesAreRejected() throws {
        let empty = try temporaryFile("empty.csv", "a,b,label\n1,,0\n")
        let missing = #expect(throws: DatasetError.self) { try DatasetReader.read(path: empty) }
        #expect(missing?.code == .missingValue && missing?.line == 2 && missing?.column == "b")

        let nan = try temporaryFile("nan.csv", "a,label\n1,0\nnan,1\n")
        let invalid = #expect(throws: DatasetError.self) { try DatasetReader.read(path: nan) }
        #expect(invalid?.code == .invalidValue && invalid?.line == 3 && invalid?.column == "a")
    }

    @Test func missingLabelColumnListsTheColumns() throws {
        let path = try temporaryFile("nolabel.csv", "a,b,c\n1,2,3\n")
        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
        #expect(error?.code == .missingLabelColumn)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("columns are: a, b, c") == true)

        let named = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path, label: "y") }
        #expect(named?.description.contains("no column 'y'") == true)
    }

    @Test func malformedFilesAreRejected() throws {
        let cases: [(String, DatasetError.Code, Int?)] = [
            ("", .emptyFile, nil),
            ("a,label\n1,\"0\n", .malformedRow, 2),  // quote never closed
            ("a,label\n1,\"0\"x\n", .malformedRow, 2),  // text after closing quote
            ("a,label\n1,0\n\n2,1\n", .malformedRow, 3),  // empty line inside the data
        ]
        for (text, code, line) in cases {
            let path = try temporaryFile("m.csv", text)
            let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
            #expect(error?.code == code && error?.line == line, "\(text.debugDescription)")
        }
    }

    @Test func missingFileNamesThePath() {
        let error = #expect(throws: DatasetError.self) {
            try DatasetReader.read(path: "/nonexistent/ringmaster/data.csv")
        }
        #expect(error?.code == .fileNotFound)
        #expect(error?.description == "/nonexistent/ringmaster/data.csv: no such file")
    }

    @Test func expectedFeatureCountIsChecked() throws {
        let path = try temporaryFile("w.csv", "a,b,label\n1,2,0\n")
        #expect(try DatasetReader.read(path: path, featureCount: 2).featureCount == 2)
        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path, featureCount: 3) }
        #expect(error?.code == .featureCountMismatch)
    }
}
