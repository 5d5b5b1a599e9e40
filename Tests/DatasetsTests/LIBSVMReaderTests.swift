import Datasets
import Testing

@Suite struct LIBSVMReaderTests {
    @Test func sparseRowsBecomeDense() throws {
        let text = "+1 1:0.5 3:2\n-1\t2:-1.25 \n0 3:7\n\n"
        let data = try DatasetReader.read(path: try temporaryFile("small.libsvm", text))
        #expect(data.featureNames == ["f1", "f2", "f3"])
        #expect(data.labelName == "label")
        #expect(data.labels == [1, -1, 0])
        #expect(data.features == [0.5, 0, 2, 0, -1.25, 0, 0, 0, 7])
        // -1/+1 labels are not class indices; the caller maps them.
        #expect(!data.isIntegerLabeled && data.classCount == 0)
    }

    @Test func expectedFeatureCountWidensRows() throws {
        let path = try temporaryFile("narrow.svm", "1 2:3\n")
        let data = try DatasetReader.read(path: path, label: "y", featureCount: 4)
        #expect(data.featureNames == ["f1", "f2", "f3", "f4"])
        #expect(data.features == [0, 3, 0, 0])
        #expect(data.labelName == "y")

        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path, featureCount: 1) }
        #expect(error?.code == .featureCountMismatch && error?.line == 1)
    }

    @Test func errorsNameFileAndLine() throws {
        let cases: [(String, DatasetError.Code, Int)] = [
            ("1 1:1\nx 1:2\n", .invalidValue, 2),  // label not a number
            ("1 1:1\n1 0:2\n", .malformedRow, 2),  // indices are 1-based
            ("1 1:1\n1 3:2 2:1\n", .malformedRow, 2),  // indices must increase
            ("1 1:1\n1 2:1 2:1\n", .malformedRow, 2),  // … strictly
            ("1 1:1\n1 1:abc\n", .invalidValue, 2),  // value not a number
            ("1 1:1\n1 1\n", .malformedRow, 2),  // no colon
            ("1 1:1\n\n1 1:1\n", .malformedRow, 2),  // empty line inside the data
        ]
        for (text, code, line) in cases {
            let path = try temporaryFile("bad.libsvm", text)
            let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
            #expect(error?.code == code && error?.line == line, "\(text.debugDescription)")
            #expect(error?.description.hasPrefix("\(path):\(line): ") == true)
        }
    }

    @Test func fingerprintIsTheFileHash() throws {
        // From `printf '1 1:1\n' | sha256sum`.
        let data = try DatasetReader.read(path: try temporaryFile("one.txt", "1 1:1\n"))
        #expect(data.fingerprint == "96fcd177435faea909174c76bbc167f4ad131d80e3160282d6ae53e5a7ab24f3")
    }
}
