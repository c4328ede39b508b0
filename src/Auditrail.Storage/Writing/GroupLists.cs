using System.Diagnostics.CodeAnalysis;
using Auditrail.Core.Model;

namespace Auditrail.Storage.Writing;

/// <summary>
/// One shared array per distinct <c>user.groups</c>, found by the array's raw JSON: a batch holds a list
/// per row until its merge, and most events repeat a handful of identities' group lists, so sharing
/// them keeps a batch's surviving objects (which every garbage collection copies) few.
/// </summary>
internal sealed class GroupLists
{
    /// <summary>Distinct lists remembered; beyond it the cache starts over (clusters with many identities stay bounded).</summary>
    private const int MaxEntries = 4096;

    private readonly Dictionary<byte[], string[]> _byJson = new(RawJsonComparer.Instance);

    /// <summary>The event's groups (null when it has none); the array is shared and must not be changed.</summary>
    public string[]? Of(AuditEvent auditEvent)
    {
        var json = auditEvent.UserGroupsJson;
        if (json.IsEmpty)
        {
            return Copy(auditEvent.UserGroups);
        }

        var lookup = _byJson.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(json, out var shared))
        {
            return shared.Length == 0 ? null : shared;
        }

        if (_byJson.Count >= MaxEntries)
        {
            _byJson.Clear();
        }

        var groups = Copy(auditEvent.UserGroups); // the reader may reuse its lists; the batch outlives this call
        lookup[json] = groups ?? [];
        return groups;
    }

    private static string[]? Copy(IReadOnlyList<string> groups) => groups.Count == 0 ? null : [.. groups];

    /// <summary>Byte-wise equality of raw JSON, looked up by span so a hit allocates nothing.</summary>
    private sealed class RawJsonComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly RawJsonComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode([DisallowNull] byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
