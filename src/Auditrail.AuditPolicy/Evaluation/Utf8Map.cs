namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// A dictionary keyed by UTF-8 text that is looked up with the bytes of an event, so matching a
/// verb or a user name never builds a string.
/// </summary>
internal sealed class Utf8Map<T>
{
    private readonly Dictionary<byte[], T> _entries = new(Utf8Comparer.Instance);
    private readonly Dictionary<byte[], T>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public Utf8Map() => _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _entries.Count;

    public bool TryGetValue(ReadOnlySpan<byte> key, out T value) => _lookup.TryGetValue(key, out value!);

    public T GetOrAdd(string key, Func<T> create)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(key);
        if (!_entries.TryGetValue(bytes, out var value))
        {
            value = create();
            _entries[bytes] = value;
        }

        return value;
    }

    private sealed class Utf8Comparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Utf8Comparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        /// <summary>
        /// Eight bytes at a time, multiply and fold: short names hash in a few instructions. Not seeded:
        /// the keys are the policy's, so crafted lookups can only walk chains of the policy's own keys.
        /// </summary>
        private static int Hash(ReadOnlySpan<byte> bytes)
        {
            const ulong Multiplier = 0x9E3779B97F4A7C15;
            var hash = (ulong)bytes.Length * Multiplier;
            while (bytes.Length >= 8)
            {
                hash = (hash ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * Multiplier;
                hash ^= hash >> 29;
                bytes = bytes[8..];
            }

            ulong tail = 0;
            foreach (var b in bytes)
            {
                tail = (tail << 8) | b;
            }

            hash = (hash ^ tail) * Multiplier;
            return (int)(hash ^ (hash >> 32));
        }
    }
}
