namespace Auditrail.LogGenerator.Infrastructure;

/// <summary>A random (version 4) UUID drawn from the seeded generator, formatted the way Kubernetes prints them.</summary>
internal readonly struct Uuid(ulong high, ulong low)
{
    public const int Length = 36;

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    public ulong High { get; } = high;

    public ulong Low { get; } = low;

    public static Uuid Version4(ulong high, ulong low) =>
        new((high & 0xFFFFFFFFFFFF0FFFUL) | 0x0000000000004000UL, (low & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL);

    /// <summary>A stable uid for an object known only by name (FNV-1a of the name), so repeated updates agree.</summary>
    public static Uuid FromName(string name)
    {
        var high = 14695981039346656037UL;
        var low = 1469598103934665603UL;
        foreach (var c in name)
        {
            high = (high ^ c) * 1099511628211UL;
            low = (low ^ c) * 1099511628211UL ^ high;
        }

        return Version4(high, low);
    }

    public void Format(Span<byte> destination)
    {
        // 8-4-4 from the high half, 4-12 from the low half.
        WriteHex(destination, 0, High >> 32, 8);
        destination[8] = (byte)'-';
        WriteHex(destination, 9, (High >> 16) & 0xFFFF, 4);
        destination[13] = (byte)'-';
        WriteHex(destination, 14, High & 0xFFFF, 4);
        destination[18] = (byte)'-';
        WriteHex(destination, 19, Low >> 48, 4);
        destination[23] = (byte)'-';
        WriteHex(destination, 24, Low & 0xFFFFFFFFFFFFUL, 12);
    }

    private static void WriteHex(Span<byte> destination, int start, ulong value, int digits)
    {
        for (var i = digits - 1; i >= 0; i--)
        {
            destination[start + i] = Hex[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[Length];
        Format(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer);
    }
}
