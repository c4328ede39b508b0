namespace Auditrail.Cel.Conformance;

/// <summary>Field conversions and schema errors shared by the message readers.</summary>
internal sealed partial class ConformanceReader
{
    private delegate bool TryConvert<T>(TextScalar scalar, out T value);

    public TextProtoException Error(TextPosition position, string reason) => new(reason, position, _sourceName);

    /// <summary>The name to dispatch on: bracketed names never match a regular field of these schemas.</summary>
    private static string Key(TextField field) => field.Kind == TextFieldKind.Regular ? field.Name : "";

    private TextProtoException UnknownField(TextField field, string messageType) => Error(
        field.Position,
        field.Kind == TextFieldKind.Regular ? $"{messageType} has no field '{field.Name}'" : $"{messageType} has no extension or Any expansion [{field.Name}]");

    private T Scalar<T>(TextField field, string expected, TryConvert<T> convert) =>
        field.Value is TextScalar scalar && convert(scalar, out var value)
            ? value
            : throw Error(field.Value.Position, $"{field.Name} needs {expected}, found {Describe(field.Value)}");

    private string String(TextField field) =>
        field.Value is TextScalar { Kind: TextScalarKind.String } scalar && !scalar.TryGetString(out _)
            ? throw Error(field.Value.Position, $"{field.Name} is a string field, but its bytes are not valid UTF-8 (use bytes_value for raw bytes)")
            : Scalar(field, "a string", (TextScalar s, out string value) => s.TryGetString(out value!));

    private byte[] Bytes(TextField field) =>
        Scalar(field, "a quoted string", (TextScalar s, out byte[] value) =>
        {
            value = s.GetBytes();
            return s.Kind == TextScalarKind.String;
        });

    private bool Bool(TextField field) => Scalar(field, "true or false", (TextScalar s, out bool value) => s.TryGetBool(out value));

    private int Int32(TextField field) => Scalar(field, "an int32", (TextScalar s, out int value) => s.TryGetInt32(out value));

    private long Int64(TextField field) => Scalar(field, "an int64", (TextScalar s, out long value) => s.TryGetInt64(out value));

    private ulong UInt64(TextField field) => Scalar(field, "a uint64 (no sign)", (TextScalar s, out ulong value) => s.TryGetUInt64(out value));

    private double Double(TextField field) => Scalar(field, "a double", (TextScalar s, out double value) => s.TryGetDouble(out value));

    /// <summary>An enum by value name or number; only numbers the enum defines are accepted, as the model has no slot for others.</summary>
    private int EnumNumber(TextField field, string enumType, IReadOnlyDictionary<string, int> names) =>
        Scalar(field, $"a {enumType} ({string.Join(", ", names.Keys)})", (TextScalar s, out int value) =>
            (s is { Kind: TextScalarKind.Identifier, IsNegative: false } && names.TryGetValue(s.Text, out value))
            || (s.TryGetInt32(out value) && names.Values.Contains(value)));

    private TextMessage Message(TextField field) =>
        field.Value as TextMessage ?? throw Error(field.Value.Position, $"{field.Name} needs a message {{ ... }}, found {Describe(field.Value)}");

    /// <summary>A <c>google.protobuf.Empty</c> field such as <c>dyn: {}</c>.</summary>
    private T Empty<T>(TextField field, T result)
    {
        var message = Message(field);
        return message.Fields.Count == 0
            ? result
            : throw Error(message.Fields[0].Position, $"{field.Name} is a google.protobuf.Empty and takes no fields");
    }

    private static string Describe(TextValue value)
    {
        const int limit = 40;
        var text = value is TextMessage ? "a message" : value.ToString() ?? "";
        return text.Length <= limit ? text : text[..limit] + "...";
    }

    /// <summary>
    /// Rejects, at the place it occurs, a singular field given twice or a second member of the
    /// message's oneof: the text format forbids both, and silently keeping one would hide a broken test.
    /// </summary>
    private sealed class FieldCheck(ConformanceReader reader, string messageType, string[] repeated, string? oneof, string[]? oneofMembers)
    {
        private readonly HashSet<string> _seen = [];
        private TextField? _oneofField;

        /// <summary>A message with repeated fields and no oneof.</summary>
        public static FieldCheck For(ConformanceReader reader, string messageType, params string[] repeated) =>
            new(reader, messageType, repeated, null, null);

        /// <summary>A message that is a single oneof (cel.expr.Value, Type, ExprValue): every field is a member.</summary>
        public static FieldCheck ForOneof(ConformanceReader reader, string messageType, string oneof) =>
            new(reader, messageType, [], oneof, null);

        /// <summary>Call after the field is known to belong to the message, so unknown names get the clearer error.</summary>
        public void Add(TextField field)
        {
            if (repeated.Contains(field.Name))
            {
                return;
            }

            if (!_seen.Add(field.Name))
            {
                throw reader.Error(field.Position, $"{messageType}.{field.Name} is given more than once");
            }

            if (oneof is null || (oneofMembers is not null && !oneofMembers.Contains(field.Name)))
            {
                return;
            }

            if (_oneofField is { } first)
            {
                throw reader.Error(field.Position, $"{messageType}.{field.Name} conflicts with {first.Name} at {first.Position}: oneof {oneof} takes one member");
            }

            _oneofField = field;
        }
    }
}
