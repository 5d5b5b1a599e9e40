import Datasets
import Testing

@Suite struct DatasetFormatTests {
    @Test(arguments: [
        ("data/train.csv", DatasetFormat.csv), ("TRAIN.CSV", .csv),
        ("a9a.libsvm", .libsvm), ("x.svm", .libsvm), ("heart_scale.txt", .libsvm),
        ("mnist/train-images-idx3-ubyte", .idx), ("t10k-images.idx3-ubyte", .idx), ("pixels.idx", .idx),
    ])
    func detectsFromTheName(path: String, format: DatasetFormat) {
        #expect(DatasetFormat.detect(path: path) == format)
    }

    @Test func unknownNamesNeedAnExplicitFormat() throws {
        #expect(DatasetFormat.detect(path: "data.parquet") == nil)
        let path = try temporaryFile("table.dat", "a,label\n1,0\n")
        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
        #expect(error?.code == .unknownFormat)
        #expect(try DatasetReader.read(path: path, format: .csv).rowCount == 1)
    }

    @Test func labelsPathAppliesOnlyToIDX() throws {
        let path = try temporaryFile("t.csv", "a,label\n1,0\n")
        let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path, labelsPath: "y.idx") }
        #expect(error?.code == .invalidArgument)
    }
}
