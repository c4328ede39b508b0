using System.Text;
using Auditrail.Storage.Writing;

namespace Auditrail.Storage.Tests.Writing;

public sealed class ByteArenaTests
{
    private readonly ByteArena _arena = new();

    [Theory]
    [InlineData(2)] // the second batch reuses the first one's chunks
    public void Values_across_many_chunks_and_larger_than_a_chunk_read_back_as_added(int batches)
    {
        for (var batch = 0; batch < batches; batch++)
        {
            // A few MiB of small values (several chunks), a 3 MiB one in between, text with multi-byte characters.
            var added = new List<(ArenaSlice Slice, byte[] Expected)>();
            for (var i = 0; i < 40_000; i++)
            {
                var text = $"batch {batch} value {i} ünïcødé {new string('x', i % 200)}";
                added.Add((_arena.Add(text), Encoding.UTF8.GetBytes(text)));
                if (i == 20_000)
                {
                    var large = Enumerable.Range(0, 3 << 20).Select(n => (byte)n).ToArray();
                    added.Add((_arena.Add(large), large));
                }
            }

            Assert.True(_arena.Add((string?)null).IsNull);
            foreach (var (slice, expected) in added)
            {
                Assert.Equal(expected, _arena[slice].ToArray());
            }

            _arena.Clear();
        }
    }
}
