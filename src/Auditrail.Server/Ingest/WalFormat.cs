using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Auditrail.Server.Ingest;

/// <summary>
/// The on-disk layout of the write-ahead log. A segment file starts with an 8-byte magic and holds
/// records back to back, each framed as (little-endian):
/// <code>
///  0  u32  length of the whole record, this field included
///  4  u32  CRC-32 of bytes [8, length)
///  8  i64  sequence
/// 16  i32  event count
/// 20  i64  append time, UTC ticks
/// 28  u16  source length in UTF-8 bytes
/// 30  ...  source, then the payload
/// </code>
/// The length comes first so a reader can skip a record without reading it; the checksum covers
/// everything after itself, so a torn or flipped tail fails the check instead of passing as data.
/// </summary>
internal static class WalFormat
{
    public const int HeaderBytes = 30;

    /// <summary>Sources are names or file paths; a cap keeps a header small and its length field honest.</summary>
    public const int MaxSourceBytes = 4096;

    /// <summary>One record at most: far above any request body the webhook accepts, far below the u32 length field's limit.</summary>
    public const int MaxRecordBytes = 512 * 1024 * 1024;

    public const string SegmentExtension = ".wal";

    public static ReadOnlySpan<byte> SegmentMagic => "ATRLWAL1"u8;

    /// <summary>A segment is named by its first sequence, zero-padded so names sort in sequence order.</summary>
    public static string SegmentFileName(long firstSequence) =>
        firstSequence.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension;

    public static bool TryParseSegmentFileName(string fileName, out long firstSequence)
    {
        firstSequence = 0;
        return fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && fileName.Length == 20 + SegmentExtension.Length
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstSequence);
    }

    public static int RecordBytes(int sourceBytes, int payloadBytes) => HeaderBytes + sourceBytes + payloadBytes;

    /// <summary>Writes a header (checksum included) for a record whose payload follows it.</summary>
    public static void WriteHeader(Span<byte> header, long sequence, int events, long appendedTicks, ReadOnlySpan<byte> source, ReadOnlySpan<byte> payload)
    {
        var length = RecordBytes(source.Length, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], events);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], appendedTicks);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)source.Length);
        source.CopyTo(header[HeaderBytes..]);
        var crc = new Crc32();
        crc.Append(header[8..(HeaderBytes + source.Length)]);
        crc.Append(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], crc.GetCurrentHashAsUInt32());
    }

    /// <summary>The fixed fields of a header, read without checking the checksum.</summary>
    public readonly record struct Header(int Length, uint Checksum, long Sequence, int Events, long AppendedTicks, int SourceBytes)
    {
        public int PayloadOffset => HeaderBytes + SourceBytes;

        public int PayloadBytes => Length - PayloadOffset;
    }

    /// <summary>
    /// Reads the fixed header fields; false with a reason when they cannot describe a record that fits
    /// in <paramref name="available"/> bytes (a torn or garbage tail).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> bytes, long available, out Header header, out string? problem)
    {
        header = default;
        if (bytes.Length < HeaderBytes || available < HeaderBytes)
        {
            problem = "the record header is cut short";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var sourceBytes = BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]);
        if (length < HeaderBytes + sourceBytes || length > MaxRecordBytes || sourceBytes > MaxSourceBytes)
        {
            problem = $"the record length {length.ToString(CultureInfo.InvariantCulture)} is not possible";
            return false;
        }

        if (length > available)
        {
            problem = $"the record claims {length.ToString(CultureInfo.InvariantCulture)} bytes but only {available.ToString(CultureInfo.InvariantCulture)} follow";
            return false;
        }

        header = new Header((int)length, BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[20..]), sourceBytes);
        problem = null;
        return true;
    }

    /// <summary>Whether a whole record (header first) matches its checksum.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> record, uint checksum) => Crc32.HashToUInt32(record[8..]) == checksum;

    public static string DecodeSource(ReadOnlySpan<byte> record, in Header header) =>
        Encoding.UTF8.GetString(record.Slice(HeaderBytes, header.SourceBytes));
}
