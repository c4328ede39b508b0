using System.Text.Json;
using Auditrail.Cel;
using Auditrail.Cel.Runtime;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;

namespace Auditrail.Detection.Conditions;

/// <summary>
/// The CEL environment rules are written in: every field of the catalog is a declared variable under
/// its dotted name (<c>verb</c>, <c>objectRef.namespace</c>, <c>identity.kind</c>), typed from the
/// catalog, so a typo or a type error is a compile error and field reads are direct. The JSON
/// functions (<see cref="JsonFunctions"/>) read bodies and the whole event without errors.
/// </summary>
public static class AuditCelEnvironment
{
    public static CelEnvironment Create()
    {
        var environment = new CelEnvironment();
        foreach (var field in FieldCatalog.All)
        {
            environment.Declare(field.Name, TypeOf(field.Type));
        }

        JsonFunctions.Register(environment);
        return environment;
    }

    public static CelType TypeOf(FieldType type) => type switch
    {
        FieldType.String => CelType.String,
        FieldType.Int => CelType.Int,
        FieldType.Bool => CelType.Bool,
        FieldType.Timestamp => CelType.Timestamp,
        FieldType.StringList => CelType.List(CelType.String),
        FieldType.StringMap => CelType.Map(CelType.String, CelType.String),
        _ => CelType.Dyn,
    };

    /// <summary>Converts what a catalog extractor returns into a CEL value; null means the event lacks the field.</summary>
    public static CelValue ToCel(object? value, string fieldName) => value switch
    {
        null => CelValue.Error($"no such key: {fieldName}"),
        string s => CelValue.String(s),
        int i => CelValue.Int(i),
        long l => CelValue.Int(l),
        bool b => CelValue.Bool(b),
        DateTimeOffset t => CelValue.Timestamp(CelTimestamp.FromDateTimeOffset(t)),
        IReadOnlyList<string> list => ToList(list),
        IReadOnlyDictionary<string, string> map => ToMap(map),
        JsonElement json => JsonValues.From(json),
        _ => CelValue.Error($"field {fieldName} has an unsupported type {value.GetType().Name}"),
    };

    private static CelValue ToList(IReadOnlyList<string> list)
    {
        if (list.Count == 0)
        {
            return EmptyList;
        }

        var values = new CelValue[list.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = CelValue.String(list[i]);
        }

        return CelValue.List(values);
    }

    private static readonly CelValue EmptyList = CelValue.List([]);

    private static CelValue ToMap(IReadOnlyDictionary<string, string> map)
    {
        var result = new CelMap(map.Count);
        foreach (var (key, value) in map)
        {
            result.TryAdd(CelValue.String(key), CelValue.String(value));
        }

        return CelValue.Map(result);
    }
}

/// <summary>
/// Supplies one audit event to a compiled condition. String fields are compared as UTF-8 straight from
/// the event's bytes; other fields are converted on first read and cached for the event.
/// </summary>
public sealed class AuditEventActivation : IActivation
{
    private readonly FieldDefinition[] _fields;
    private readonly CelValue[] _missing;
    private readonly CelValue[] _cache;
    private readonly bool[] _cached;
    private AuditEvent _event = null!;

    public AuditEventActivation(CelEnvironment environment)
    {
        _fields = environment.Variables.Select(v => FieldCatalog.Find(v.Name) ?? throw new ArgumentException($"'{v.Name}' is not a catalog field")).ToArray();
        _cache = new CelValue[_fields.Length];

        // One "missing" error per field, made once: absent fields are common and must not allocate per event.
        _missing = _fields.Select(f => CelValue.Error($"no such key: {f.Name}")).ToArray();
        _cached = new bool[_fields.Length];
    }

    /// <summary>Points the activation at the next event (the reader reuses event instances, so does this).</summary>
    public AuditEventActivation Reset(AuditEvent auditEvent)
    {
        _event = auditEvent;
        Array.Clear(_cached);
        return this;
    }

    public CelValue Resolve(int variableIndex)
    {
        if (!_cached[variableIndex])
        {
            var field = _fields[variableIndex];
            var value = field.Extract(_event);
            _cache[variableIndex] = value is null ? _missing[variableIndex] : AuditCelEnvironment.ToCel(value, field.Name);
            _cached[variableIndex] = true;
        }

        return _cache[variableIndex];
    }

    public bool TryGetUtf8(int variableIndex, out ReadOnlySpan<byte> utf8)
    {
        if (_fields[variableIndex].Utf8 is { } getter)
        {
            return getter(_event, out utf8);
        }

        utf8 = default;
        return false;
    }
}
