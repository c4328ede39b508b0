using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Auditrail.LogGenerator.Writing;

internal static class JsonOutput
{
    /// <summary>
    /// Relaxed escaping writes quotes as \" the way Go's encoder does (the default encoder writes \u0022);
    /// the few strings where Go escapes &amp; &lt; &gt; go through <see cref="GoStrings"/>. Validation is skipped
    /// because the writer is reset for every line and only well-formed sequences are ever written.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Serializes a fragment once, for values written verbatim into many events.</summary>
    public static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
