using System.Diagnostics;
using System.Security.Cryptography;
using ChangeTrail.Domain.Ledger;

namespace ChangeTrail.Bench.Scenarios;

/// <summary>
/// Full verification of N entries against SHA-256 over the same bytes in a tight loop (issue 4: ≤ 2×).
/// Leaves are built with the app's <see cref="LedgerLeaf.Bytes"/> from realistic records, deterministically
/// from a seed, chunk by chunk into one reused buffer, so memory stays flat and building them is timed
/// apart from every measure. Each chunk is hashed by every measure in turn, in rotating order.
/// </summary>
internal static class LedgerVerifyScenario
{
    private const double Target = 2.0;
    private static readonly DateTime Epoch = new(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc);

    public static int Run(IReadOnlyList<string> argv)
    {
        var args = BenchArgs.Parse(argv, "entries", "seed", "chunk-mb", "record-bytes");
        var entries = args.Long("entries", 1_000_000);
        var seed = args.Int("seed", 1);
        var chunkBytes = args.Int("chunk-mb", 64) * 1024 * 1024;
        var sizes = args.Text("record-bytes", "300-1000").Split('-');
        if (sizes.Length != 2 || !int.TryParse(sizes[0], out var minRecord) || !int.TryParse(sizes[1], out var maxRecord) || minRecord > maxRecord)
            throw new BenchUsageException("--record-bytes is MIN-MAX, e.g. 300-1000");

        var leaves = new LeafSource(seed, minRecord, maxRecord);
        var kinds = leaves.Records.GroupBy(r => r.SubjectType).Select(g => $"{g.Key} {g.Count() * 100 / leaves.Records.Length}%");
        Report.Header("ledger-verify", argv,
            ("entries", Report.N(entries)),
            ("leaves", $"LedgerLeaf.Bytes around the app's CanonicalRecords, record sizes drawn evenly from {minRecord}-{maxRecord} B "
                + $"(mean {leaves.Records.Average(r => r.Json.Length):F0} B; {string.Join(", ", kinds)}), {leaves.Records.Length} distinct records, "
                + $"time, actor and record chosen per entry from seed {seed}"),
            ("memory", $"leaves built {chunkBytes / (1024 * 1024)} MiB at a time into one reused buffer and hashed there by every measure "
                + "in turn (rotating order); 32 B per entry kept as the export's stored leaf hash"));

        var chunk = new LeafChunk(chunkBytes);
        var stored = new Hash32[entries];
        var range = new CompactRange();
        var altRange = new CompactRange();
        var firstBad = -1L;
        var altBad = -1L;
        var measures = new (string Name, Func<LeafChunk, CompactRange?, long> Run)[]
        {
            ("(a) SHA-256 over each leaf (SHA256.HashData, tight loop)", (c, _) => RawHash(c)),
            ("(b) full verification: MerkleHash.Leaf, compare with stored hash, CompactRange.Append; root", (c, r) => Verify(c, stored, r!)),
            ("    of which MerkleHash.Leaf alone", (c, _) => LeafOnly(c)),
            ("(b') as (b), leaf hash by one-shot SHA256.HashData over 0x00||leaf in a reused buffer", (c, r) => VerifyOneShot(c, stored, r!)),
        };

        // Warm-up: every loop on a small chunk, enough calls for the JIT to settle on optimised code.
        chunk.Fill(leaves, 0, Math.Min(entries, 2_000));
        StoredLeafHashes(chunk, stored);
        for (var i = 0; i < 40; i++)
        {
            foreach (var measure in measures)
                measure.Run(chunk, new CompactRange());
        }
        Thread.Sleep(300);

        var ticks = new long[measures.Length];
        long generation = 0, bytes = 0, large = 0, verifyAllocated = 0;
        var chunks = 0;
        Console.Error.WriteLine($"   hashing {Report.N(entries)} leaves ...");
        for (var first = 0L; first < entries; chunks++)
        {
            var started = Stopwatch.GetTimestamp();
            chunk.Fill(leaves, first, entries);
            generation += Stopwatch.GetTimestamp() - started;
            StoredLeafHashes(chunk, stored);
            bytes += chunk.Bytes;
            large += chunk.CountLargerThan(512);

            for (var pass = 0; pass < measures.Length; pass++)
            {
                var m = (pass + chunks) % measures.Length;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                started = Stopwatch.GetTimestamp();
                var bad = measures[m].Run(chunk, m == 1 ? range : m == 3 ? altRange : null);
                ticks[m] += Stopwatch.GetTimestamp() - started;
                if (m == 1)
                {
                    verifyAllocated += GC.GetAllocatedBytesForCurrentThread() - allocated;
                    if (bad >= 0 && firstBad < 0)
                        firstBad = bad;
                }
                if (m == 3 && bad >= 0 && altBad < 0)
                    altBad = bad;
            }
            first += chunk.Count;
        }
        var rootStarted = Stopwatch.GetTimestamp();
        var root = range.RootHash();
        ticks[1] += Stopwatch.GetTimestamp() - rootStarted;
        rootStarted = Stopwatch.GetTimestamp();
        var altRoot = altRange.RootHash();
        ticks[3] += Stopwatch.GetTimestamp() - rootStarted;

        // The expected root, from the stored leaf hashes by RFC 9162's recursive definition: no CompactRange involved.
        var expected = ReferenceRoot(stored, 0, entries);
        var mb = bytes / 1e6;
        var rows = measures.Select((m, i) => Row(m.Name, Seconds(ticks[i]), mb, entries)).ToList();
        rows.Add(Row("not timed in any of these: building the leaves with LedgerLeaf.Bytes", Seconds(generation), mb, entries));
        Report.Table(["measure", "seconds", "MB/s", "leaves/s", "ns/leaf"], rows);
        var ratio = Seconds(ticks[1]) / Seconds(ticks[0]);
        var altRatio = Seconds(ticks[3]) / Seconds(ticks[0]);
        Report.Table(["target (issue 4)", "measured", "target", "verdict"],
        [
            ["full verification / raw SHA-256  (b / a)", $"{ratio:F2}×", $"≤ {Target:F0}×", Report.Verdict(ratio <= Target)],
            ["for comparison, bench variant (b' / a)", $"{altRatio:F2}×", $"≤ {Target:F0}×", Report.Verdict(altRatio <= Target)],
        ]);
        Console.WriteLine($"   {Report.N(entries)} leaves, {mb:N1} MB ({bytes / (double)entries:F0} B mean leaf), {chunks} chunk(s); "
            + $"{large * 100.0 / entries:F1}% of leaves are over 512 B, which MerkleHash.Leaf hashes with a new IncrementalHash each");
        Console.WriteLine($"   allocated during (b): {verifyAllocated / 1e6:N1} MB ({verifyAllocated / (double)entries:F0} B per leaf)");
        var ok = root == expected && firstBad < 0 && altRoot == expected && altBad < 0;
        Console.WriteLine($"   root {root.ToHex()[..16]}… {(root == expected ? "equals" : "DIFFERS FROM")} the root recomputed from the stored leaf hashes "
            + $"by RFC 9162's recursive MTH; {(firstBad < 0 ? "every leaf hash equals its stored hash" : $"leaf {firstBad} DIFFERS from its stored hash")}; "
            + $"(b') {(altRoot == expected && altBad < 0 ? "agrees" : "DISAGREES")}");
        return ok ? 0 : 1;
    }

    private static IReadOnlyList<string> Row(string name, double seconds, double mb, long entries) =>
        [name, Report.F(seconds, 3), Report.F(mb / seconds, 0), Report.F(entries / seconds, 0), Report.F(seconds * 1e9 / entries, 0)];

    private static double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    private static long RawHash(LeafChunk chunk)
    {
        Span<byte> digest = stackalloc byte[32];
        var sink = 0;
        for (var i = 0; i < chunk.Count; i++)
        {
            SHA256.HashData(chunk.Leaf(i), digest);
            sink ^= digest[0];
        }
        return sink == int.MinValue ? 0 : -1;
    }

    /// <summary>What the verifier does per entry: rehash, compare with the export's leaf hash, fold into the tree. The first bad index, or -1.</summary>
    private static long Verify(LeafChunk chunk, Hash32[] stored, CompactRange range)
    {
        var bad = -1L;
        for (var i = 0; i < chunk.Count; i++)
        {
            var leafHash = MerkleHash.Leaf(chunk.Leaf(i));
            if (leafHash != stored[chunk.First + i] && bad < 0)
                bad = chunk.First + i;
            range.Append(leafHash);
        }
        return bad;
    }

    private static long LeafOnly(LeafChunk chunk)
    {
        var sink = 0L;
        for (var i = 0; i < chunk.Count; i++)
            sink ^= MerkleHash.Leaf(chunk.Leaf(i)).GetHashCode();
        return sink == long.MinValue ? 0 : -1;
    }

    /// <summary>As <see cref="Verify"/>, with the leaf hash MerkleHash.Leaf could compute for any size: one SHA256.HashData over a prefixed copy.</summary>
    private static long VerifyOneShot(LeafChunk chunk, Hash32[] stored, CompactRange range)
    {
        var bad = -1L;
        var buffer = new byte[64 * 1024];
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < chunk.Count; i++)
        {
            var leaf = chunk.Leaf(i);
            if (leaf.Length + 1 > buffer.Length)
                buffer = new byte[leaf.Length + 1];
            buffer[0] = 0;
            leaf.CopyTo(buffer.AsSpan(1));
            SHA256.HashData(buffer.AsSpan(0, leaf.Length + 1), digest);
            var leafHash = Hash32.FromBytes(digest);
            if (leafHash != stored[chunk.First + i] && bad < 0)
                bad = chunk.First + i;
            range.Append(leafHash);
        }
        return bad;
    }

    /// <summary>The export's leaf hashes, computed independently of MerkleHash: SHA-256(0x00 || leaf).</summary>
    private static void StoredLeafHashes(LeafChunk chunk, Hash32[] stored)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < chunk.Count; i++)
        {
            sha.AppendData([0]);
            sha.AppendData(chunk.Leaf(i));
            sha.GetHashAndReset(digest);
            stored[chunk.First + i] = Hash32.FromBytes(digest);
        }
    }

    private static Hash32 ReferenceRoot(Hash32[] leaves, long start, long end)
    {
        if (end - start == 1)
            return leaves[start];
        var split = 1L << (63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(end - start - 1)));
        return MerkleHash.Node(ReferenceRoot(leaves, start, start + split), ReferenceRoot(leaves, start + split, end));
    }

    /// <summary>Entry i's leaf, the same for any chunking: its time, actor, and record follow from i and the seed.</summary>
    private sealed class LeafSource
    {
        private readonly Guid[] _actors;
        private readonly ulong _seed;

        public LeafSource(int seed, int minRecord, int maxRecord)
        {
            _seed = (ulong)seed;
            Records = SampleRecords.Mixed(4096, seed, minRecord, maxRecord);
            var random = new Random(seed);
            _actors = Enumerable.Range(0, 50).Select(_ =>
            {
                var bytes = new byte[16];
                random.NextBytes(bytes);
                return new Guid(bytes);
            }).ToArray();
        }

        public SampleRecord[] Records { get; }

        public byte[] Leaf(long index)
        {
            var mix = Mix(_seed * 0x9E3779B97F4A7C15UL + (ulong)index);
            var record = Records[(int)(mix % (ulong)Records.Length)];
            var actor = _actors[(int)((mix >> 32) % (ulong)_actors.Length)];
            return LedgerLeaf.Bytes(Epoch.AddTicks(index * 370_000), actor, record.Action, record.SubjectType, record.SubjectId, record.Json);
        }

        private static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Consecutive leaves packed into one buffer, with their offsets.</summary>
    private sealed class LeafChunk(int capacity)
    {
        private readonly byte[] _buffer = new byte[capacity];
        private readonly int[] _offsets = new int[capacity / 64 + 2];

        public long First { get; private set; }

        public int Count { get; private set; }

        public long Bytes => _offsets[Count];

        public ReadOnlySpan<byte> Leaf(int i) => _buffer.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i]);

        public int CountLargerThan(int size)
        {
            var count = 0;
            for (var i = 0; i < Count; i++)
                count += _offsets[i + 1] - _offsets[i] > size ? 1 : 0;
            return count;
        }

        public void Fill(LeafSource source, long first, long end)
        {
            First = first;
            Count = 0;
            _offsets[0] = 0;
            for (var index = first; index < end && Count + 1 < _offsets.Length; index++)
            {
                var leaf = source.Leaf(index);
                if (_offsets[Count] + leaf.Length > _buffer.Length)
                    break;
                leaf.CopyTo(_buffer, _offsets[Count]);
                _offsets[Count + 1] = _offsets[Count] + leaf.Length;
                Count++;
            }
        }
    }
}
