using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Auditrail.Core.Model;

/// <summary>
/// One audit.k8s.io/v1 Event. It keeps the event's UTF-8 JSON and the byte ranges of the fields rules
/// use most, so reading an event allocates nothing until a field is asked for as a string.
/// </summary>
/// <remarks>
/// The reader reuses one instance for every record and overwrites it on the next record: an event
/// handed to a handler is valid only during the call. Call <see cref="Detach"/> to keep it.
/// </remarks>
public sealed class AuditEvent
{
    private readonly Utf8Slot[] _slots = new Utf8Slot[(int)EventSlot.Count];
    private readonly string?[] _strings = new string?[(int)EventSlot.Count];
    private byte[] _buffer = [];
    private int _offset;
    private int _length;
    private IReadOnlyList<string>? _groups;
    private IReadOnlyList<string>? _impersonatedGroups;
    private IReadOnlyList<string>? _sourceIps;
    private IReadOnlyDictionary<string, string>? _annotations;

    public AuditEvent() => Reset([], 0, 0);

    /// <summary>The event's JSON (normalized to audit.k8s.io/v1 for cloud envelopes; redacted when redaction is on).</summary>
    public ReadOnlyMemory<byte> Json => _buffer.AsMemory(_offset, _length);

    public AuditLevel Level { get; internal set; }
    public AuditStage Stage { get; internal set; }

    /// <summary>HTTP status code of the response; 0 when the event has no responseStatus.code.</summary>
    public int ResponseCode { get; internal set; }

    public DateTimeOffset? RequestReceivedTimestamp { get; internal set; }
    public DateTimeOffset? StageTimestamp { get; internal set; }

    /// <summary>Where the record came from.</summary>
    public InputFormat Format { get; internal set; }

    /// <summary>The time the event describes: the stage timestamp, else the time the request was received.</summary>
    public DateTimeOffset? Time => StageTimestamp ?? RequestReceivedTimestamp;

    public string? ApiVersion => GetString(EventSlot.ApiVersion);
    public string? AuditId => GetString(EventSlot.AuditId);
    public string? RequestUri => GetString(EventSlot.RequestUri);
    public string? Verb => GetString(EventSlot.Verb);
    public string? UserName => GetString(EventSlot.UserName);
    public string? UserUid => GetString(EventSlot.UserUid);
    public string? ImpersonatedUserName => GetString(EventSlot.ImpersonatedUserName);
    public string? ImpersonatedUserUid => GetString(EventSlot.ImpersonatedUserUid);
    public string? UserAgent => GetString(EventSlot.UserAgent);
    public string? SourceIp => GetString(EventSlot.FirstSourceIp);
    public string? Resource => GetString(EventSlot.ObjectResource);
    public string? Namespace => GetString(EventSlot.ObjectNamespace);
    public string? Name => GetString(EventSlot.ObjectName);
    public string? ObjectUid => GetString(EventSlot.ObjectUid);
    public string? ApiGroup => GetString(EventSlot.ObjectApiGroup);
    public string? ObjectApiVersion => GetString(EventSlot.ObjectApiVersion);
    public string? ResourceVersion => GetString(EventSlot.ObjectResourceVersion);
    public string? Subresource => GetString(EventSlot.ObjectSubresource);
    public string? ResponseStatus => GetString(EventSlot.StatusStatus);
    public string? ResponseReason => GetString(EventSlot.StatusReason);
    public string? ResponseMessage => GetString(EventSlot.StatusMessage);
    public string? AuthorizationDecision => GetString(EventSlot.AuthorizationDecision);
    public string? AuthorizationReason => GetString(EventSlot.AuthorizationReason);

    /// <summary>The cluster the event came from, when the source says (annotation <c>auditrail.io/cluster</c>).</summary>
    public string? Cluster => GetString(EventSlot.Cluster);

    public bool HasObjectRef => _slots[(int)EventSlot.ObjectRef].IsPresent;
    public bool HasImpersonation => _slots[(int)EventSlot.ImpersonatedUser].IsPresent;
    public bool HasRequestObject => _slots[(int)EventSlot.RequestObject].IsPresent;
    public bool HasResponseObject => _slots[(int)EventSlot.ResponseObject].IsPresent;

    public IReadOnlyList<string> UserGroups => _groups ??= ReadStringArray(EventSlot.UserGroups);
    public IReadOnlyList<string> ImpersonatedUserGroups => _impersonatedGroups ??= ReadStringArray(EventSlot.ImpersonatedUserGroups);
    public IReadOnlyList<string> SourceIps => _sourceIps ??= ReadStringArray(EventSlot.SourceIps);
    public IReadOnlyDictionary<string, string> Annotations => _annotations ??= ReadStringMap(EventSlot.Annotations);

    /// <summary>Raw JSON of requestObject, or empty when absent. Parse it lazily with <see cref="JsonDocument"/> when needed.</summary>
    public ReadOnlySpan<byte> RequestObjectJson => GetRaw(EventSlot.RequestObject);
    public ReadOnlySpan<byte> ResponseObjectJson => GetRaw(EventSlot.ResponseObject);
    public ReadOnlySpan<byte> UserExtraJson => GetRaw(EventSlot.UserExtra);
    public ReadOnlySpan<byte> UserJson => GetRaw(EventSlot.User);

    /// <summary>Raw JSON array of user.groups, or empty when absent: matching groups needs no list of strings.</summary>
    public ReadOnlySpan<byte> UserGroupsJson => GetRaw(EventSlot.UserGroups);
    public ReadOnlySpan<byte> ImpersonatedUserJson => GetRaw(EventSlot.ImpersonatedUser);
    public ReadOnlySpan<byte> ObjectRefJson => GetRaw(EventSlot.ObjectRef);
    public ReadOnlySpan<byte> ResponseStatusJson => GetRaw(EventSlot.ResponseStatus);
    public ReadOnlySpan<byte> AnnotationsJson => GetRaw(EventSlot.Annotations);

    /// <summary>The verb's UTF-8 bytes without allocating (verbs never contain escapes).</summary>
    public ReadOnlySpan<byte> VerbUtf8 => GetRaw(EventSlot.Verb);

    internal bool IsPresent(EventSlot slot) => _slots[(int)slot].IsPresent;

    /// <summary>A string field's bytes as stored; false when absent or when it holds JSON escapes (then read the string).</summary>
    internal bool TryGetUtf8(EventSlot slot, out ReadOnlySpan<byte> utf8)
    {
        var s = _slots[(int)slot];
        if (!s.IsPresent || s.Escaped)
        {
            utf8 = default;
            return false;
        }

        utf8 = _buffer.AsSpan(_offset + s.Start, s.Length);
        return true;
    }

    /// <summary>A copy that owns its bytes and outlives the reader's next record.</summary>
    public AuditEvent Detach()
    {
        var copy = new AuditEvent();
        var bytes = _buffer.AsSpan(_offset, _length).ToArray();
        copy.CopyFrom(this, bytes);
        return copy;
    }

    internal void CopyFrom(AuditEvent source, byte[] ownedBytes) => CopyFrom(source, ownedBytes, 0);

    /// <summary>The array the event's JSON lives in, for a reader that can tell whether it already owns those bytes.</summary>
    internal byte[] Storage => _buffer;

    /// <summary>Points the event at a copy of its JSON (same layout), keeping everything parsed and decoded so far.</summary>
    internal void MoveTo(byte[] buffer, int offset)
    {
        _buffer = buffer;
        _offset = offset;
    }

    /// <summary>
    /// Takes over another event's parsed state, reading its JSON from <paramref name="buffer"/> at
    /// <paramref name="offset"/>: the same bytes, either in the same array (shared) or copied elsewhere.
    /// </summary>
    internal void CopyFrom(AuditEvent source, byte[] buffer, int offset)
    {
        Reset(buffer, offset, source._length);
        Array.Copy(source._slots, _slots, _slots.Length);
        Level = source.Level;
        Stage = source.Stage;
        ResponseCode = source.ResponseCode;
        RequestReceivedTimestamp = source.RequestReceivedTimestamp;
        StageTimestamp = source.StageTimestamp;
        Format = source.Format;
    }

    internal void Reset(byte[] buffer, int offset, int length)
    {
        _buffer = buffer;
        _offset = offset;
        _length = length;
        _slots.AsSpan().Fill(Utf8Slot.Absent);
        Array.Clear(_strings);
        _groups = null;
        _impersonatedGroups = null;
        _sourceIps = null;
        _annotations = null;
        Level = AuditLevel.None;
        Stage = AuditStage.ResponseComplete;
        ResponseCode = 0;
        RequestReceivedTimestamp = null;
        StageTimestamp = null;
    }

    internal void SetSlot(EventSlot slot, Utf8Slot value) => _slots[(int)slot] = value;

    internal Utf8Slot GetSlot(EventSlot slot) => _slots[(int)slot];

    internal ReadOnlySpan<byte> GetRaw(EventSlot slot)
    {
        var s = _slots[(int)slot];
        return s.IsPresent ? _buffer.AsSpan(_offset + s.Start, s.Length) : default;
    }

    internal string? GetString(EventSlot slot)
    {
        ref var cached = ref _strings[(int)slot];
        if (cached is not null)
        {
            return cached;
        }

        var s = _slots[(int)slot];
        if (!s.IsPresent)
        {
            return null;
        }

        var raw = _buffer.AsSpan(_offset + s.Start, s.Length);
        cached = s.Escaped ? Unescape(raw) : Encoding.UTF8.GetString(raw);
        return cached;
    }

    /// <summary>Decodes a JSON string body that contains escapes by letting the JSON reader do it.</summary>
    private static string Unescape(ReadOnlySpan<byte> escapedBody)
    {
        var quoted = ArrayPool<byte>.Shared.Rent(escapedBody.Length + 2);
        try
        {
            quoted[0] = (byte)'"';
            escapedBody.CopyTo(quoted.AsSpan(1));
            quoted[escapedBody.Length + 1] = (byte)'"';
            var reader = new Utf8JsonReader(quoted.AsSpan(0, escapedBody.Length + 2));
            reader.Read();
            return reader.GetString() ?? string.Empty;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(quoted);
        }
    }

    private string[] ReadStringArray(EventSlot slot)
    {
        var raw = GetRaw(slot);
        if (raw.IsEmpty)
        {
            return [];
        }

        var values = new List<string>();
        var reader = new Utf8JsonReader(raw);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                values.Add(reader.GetString()!);
            }
            else
            {
                reader.Skip();
            }
        }

        return [.. values];
    }

    private Dictionary<string, string> ReadStringMap(EventSlot slot)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var raw = GetRaw(slot);
        if (raw.IsEmpty)
        {
            return map;
        }

        var reader = new Utf8JsonReader(raw);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                map[key] = reader.GetString()!;
            }
            else
            {
                reader.Skip();
            }
        }

        return map;
    }
}
