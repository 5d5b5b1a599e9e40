import Datasets
import RingmasterCore
import Testing

/// Every rank's indices for one epoch.
private func shards(
    count: Int, replicas: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false, epoch: Int = 0
) -> [[Int]] {
    (0..<replicas).map {
        DistributedSampler(count: count, replicas: replicas, rank: $0, shuffle: shuffle, seed: seed, dropLast: dropLast)
            .indices(epoch: epoch)
    }
}

@Suite struct DistributedSamplerTests {
    @Test(arguments: [(10, 4), (12, 4), (3, 8), (1, 1), (1000, 7), (0, 3)])
    func ranksCoverEveryIndexWithEqualCounts(count: Int, replicas: Int) {
        let all = shards(count: count, replicas: replicas, seed: 3, epoch: 2)
        let perRank = (count + replicas - 1) / replicas
        #expect(all.allSatisfy { $0.count == perRank })
        #expect(Set(all.joined()) == Set(0..<count))
        #expect(DistributedSampler(count: count, replicas: replicas, rank: 0).samplesPerReplica == perRank)
    }

    /// PyTorch's rules worked by hand for 10 rows on 4 ranks without shuffling: total size
    /// 12, padded with rows 0 and 1; rank r takes positions r, r + 4, r + 8.
    @Test func paddingRepeatsTheStartWithoutShuffle() {
        #expect(shards(count: 10, replicas: 4, shuffle: false) == [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]])
        // dropLast: floor(10 / 4) = 2 each, rows 8 and 9 dropped.
        #expect(shards(count: 10, replicas: 4, shuffle: false, dropLast: true) == [[0, 4], [1, 5], [2, 6], [3, 7]])
        // Fewer rows than ranks: the padding cycles through the rows again (0 1 2 0 1 2 0 1).
        #expect(shards(count: 3, replicas: 8, shuffle: false) == [[0], [1], [2], [0], [1], [2], [0], [1]])
        #expect(shards(count: 3, replicas: 8, shuffle: false, dropLast: true).allSatisfy { $0.isEmpty })
    }

    /// The same rules applied to our permutation for (seed 7, epoch 3).
    @Test func shuffledShardsFollowPyTorchsFormula() {
        var generator = RandomGenerator(seed: 7, stream: 3)
        let p = generator.permutation(10)
        let expected = [[p[0], p[4], p[8]], [p[1], p[5], p[9]], [p[2], p[6], p[0]], [p[3], p[7], p[1]]]
        #expect(shards(count: 10, replicas: 4, seed: 7, epoch: 3) == expected)
        let dropped = [[p[0], p[4]], [p[1], p[5]], [p[2], p[6]], [p[3], p[7]]]
        #expect(shards(count: 10, replicas: 4, seed: 7, dropLast: true, epoch: 3) == dropped)
    }

    @Test func dropLastGivesDistinctIndices() {
        let all = shards(count: 103, replicas: 4, seed: 1, dropLast: true)
        #expect(all.allSatisfy { $0.count == 25 })
        #expect(Set(all.joined()).count == 100)
    }

    @Test func deterministicPerSeedAndEpoch() {
        let sampler = DistributedSampler(count: 100, replicas: 3, rank: 1, seed: 11)
        #expect(sampler.indices(epoch: 4) == sampler.indices(epoch: 4))
        let same = DistributedSampler(count: 100, replicas: 3, rank: 1, seed: 11)
        let otherSeed = DistributedSampler(count: 100, replicas: 3, rank: 1, seed: 12)
        #expect(sampler.indices(epoch: 4) == same.indices(epoch: 4))
        #expect(sampler.indices(epoch: 4) != sampler.indices(epoch: 5))
        #expect(sampler.indices(epoch: 4) != otherSeed.indices(epoch: 4))
    }

    @Test func withoutShuffleEveryEpochIsTheSame() {
        let sampler = DistributedSampler(count: 9, replicas: 2, rank: 1, shuffle: false)
        #expect(sampler.indices(epoch: 0) == [1, 3, 5, 7, 0])
        #expect(sampler.indices(epoch: 1) == sampler.indices(epoch: 0))
        #expect(sampler.totalSize == 10)
    }
}
