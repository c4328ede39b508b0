using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// cel-go's <c>ext.Encoders</c>: <c>base64.encode(bytes)</c> writes standard, padded base64;
/// <c>base64.decode(string)</c> reads it with or without the trailing <c>=</c> padding, as cel-go
/// falls back to the unpadded alphabet when the padded one fails.
/// </summary>
public static class EncodersLibrary
{
    public static void Register(FunctionRegistry r)
    {
        r.Global("base64.encode", Str, [Bytes], a => CelValue.String(Convert.ToBase64String(a[0].AsBytes)));
        r.Global("base64.decode", Bytes, [Str], a => Decode(a[0].AsString));
    }

    private static CelValue Decode(string text)
    {
        // .NET skips whitespace inside base64 and Go does not; refuse it so both accept the same inputs.
        // A remainder of one character can never be valid base64, padded or not.
        if (text.Any(char.IsWhiteSpace) || text.Length % 4 == 1)
        {
            return Illegal();
        }

        var padded = text.Length % 4 == 0 ? text : text + new string('=', 4 - text.Length % 4);
        var buffer = new byte[padded.Length / 4 * 3];
        return Convert.TryFromBase64String(padded, buffer, out var written)
            ? CelValue.Bytes(buffer[..written])
            : Illegal();
    }

    private static CelValue Illegal() => CelValue.Error("base64.decode: illegal base64 data");
}
