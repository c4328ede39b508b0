using System.Text.Json;

namespace Auditrail.LogGenerator.Writing;

/// <summary>
/// Go's encoding/json escapes &amp;, &lt; and &gt; as \u0026, \u003c and \u003e, so a real request URI with a
/// query string reads <c>?a=1\u0026b=2</c>. Utf8JsonWriter's relaxed encoder leaves them alone, so strings that
/// may hold them are escaped here and written raw.
/// </summary>
internal static class GoStrings
{
    [ThreadStatic]
    private static byte[]? _scratch;

    public static void WriteString(Utf8JsonWriter w, JsonEncodedText property, string value)
    {
        if (value.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            w.WriteString(property, value);
            return;
        }

        var scratch = _scratch ??= new byte[1024];
        if (scratch.Length < (value.Length * 6) + 2)
        {
            scratch = _scratch = new byte[(value.Length * 6) + 2];
        }

        var length = 0;
        scratch[length++] = (byte)'"';
        foreach (var c in value)
        {
            var escape = c switch
            {
                '&' => "\\u0026",
                '<' => "\\u003c",
                '>' => "\\u003e",
                '"' => "\\\"",
                '\\' => "\\\\",
                _ => null,
            };
            if (escape is null)
            {
                // Request URIs are ASCII: Go and .NET both percent-encode anything else before it gets here.
                scratch[length++] = (byte)c;
                continue;
            }

            foreach (var e in escape)
            {
                scratch[length++] = (byte)e;
            }
        }

        scratch[length++] = (byte)'"';
        w.WritePropertyName(property);
        w.WriteRawValue(scratch.AsSpan(0, length), skipInputValidation: true);
    }
}
