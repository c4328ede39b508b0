using System.Text;
using DuckDB.NET.Data;

namespace Auditrail.Storage.Writing;

/// <summary>
/// Appends text that the batch holds as a .NET string (the auditID, the enums' wire names) as UTF-8
/// from one reused buffer, so every text column goes through the same span overload as the values
/// kept in the <see cref="ByteArena"/>; DuckDB.NET's <c>AppendValue(string)</c> would copy each value
/// into freshly allocated unmanaged memory first.
/// </summary>
internal sealed class Utf8Text
{
    private byte[] _buffer = new byte[1024];

    /// <summary>Encodes <paramref name="value"/> into the shared buffer (grown when too small); valid until the next call.</summary>
    public Span<byte> Encode(string value)
    {
        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_buffer.Length < most)
        {
            _buffer = new byte[Math.Max(most, _buffer.Length * 2)];
        }

        return _buffer.AsSpan(0, Encoding.UTF8.GetBytes(value, _buffer));
    }
}

/// <summary>Chaining for <see cref="Utf8Text"/>, so a row reads as one Appender call per column.</summary>
internal static class Utf8TextAppending
{
    /// <summary>Appends a text column's value, or NULL.</summary>
    public static IDuckDBAppenderRow AppendText(this IDuckDBAppenderRow row, string? value, Utf8Text text) =>
        value is null ? row.AppendNullValue() : row.AppendValue(text.Encode(value));

    /// <summary>Appends a value kept in the batch's arena (a text column's UTF-8, or a BLOB), or NULL.</summary>
    public static IDuckDBAppenderRow AppendBytes(this IDuckDBAppenderRow row, ArenaSlice slice, ByteArena bytes) =>
        slice.IsNull ? row.AppendNullValue() : row.AppendValue(bytes[slice]);
}
