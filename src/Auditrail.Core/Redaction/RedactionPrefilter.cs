using System.Buffers;
using System.Numerics;
using System.Text;

namespace Auditrail.Core.Redaction;

/// <summary>
/// The byte-level pre-check behind <see cref="EventRedactor.MayNeedRedaction(ReadOnlySpan{byte})"/>: it must answer true whenever
/// <see cref="RedactingWriter"/> would change something, and should answer false for most other events.
/// </summary>
/// <remarks>
/// Every rule of the redactor is triggered by a word the raw bytes must then contain (ASCII case-insensitively):
/// <list type="bullet">
/// <item>a string value <c>"Secret"</c>, <c>"SecretList"</c>, <c>"secrets"</c>, <c>"TokenRequest"</c>,
/// <c>"TokenReview"</c> or <c>"tokenreviews"</c> (kinds, objectRef.resource) — also inside another JSON string,
/// where the quotes are escaped, as in last-applied-configuration — or <c>"subresource":"token"</c>;</item>
/// <item><c>bearer</c> anywhere;</item>
/// <item><c>token</c>, <c>secret</c> or <c>passw</c> followed, within the same string, by <c>=</c> (a credential query
/// parameter of requestURI).</item>
/// </list>
/// Only an escape can hide such a word from a byte search: <c>\u0053ecret</c>, <c>\u0022</c> for a quote, or a
/// percent-encoded query name. Go's encoder never writes those (it escapes only &lt;, &gt;, &amp; and controls), so
/// any such escape answers true; System.Text.Json's default encoder does write <c>\u0022</c>, which costs only speed.
/// Requiring quotes around kinds keeps Pod bodies (<c>/var/run/secrets/...</c>, <c>"secret":{...}</c> volumes,
/// <c>default-token-x</c>) from defeating the pre-check.
/// </remarks>
internal static class RedactionPrefilter
{
    // Bytes are lower-cased a chunk at a time into a stack buffer so the search stays vectorized and allocation-free;
    // consecutive chunks overlap so that a word across a chunk border is still seen whole.
    private const int ChunkSize = 1024;
    private const int LongestWord = 6;

    private static readonly ValueForm[] SecretValues = [new(""), new("s"), new("list")];

    // A bare "token" matters only as objectRef.subresource; every modern Pod has "path":"token" in its projected
    // service account volume, and accepting that would send every Pod body down the expensive path.
    private static readonly ValueForm[] TokenValues =
        [new("", OnlyAsSubresource: true), new("request"), new("review"), new("reviews")];

    private static readonly SearchValues<byte> AssignmentStops = SearchValues.Create("=&#\""u8);

    /// <param name="hasBodies">
    /// False when the event has neither requestObject nor responseObject: then only credentials in text
    /// (bearer tokens, query parameters) can need redaction, and the kind and resource words are not
    /// triggers. Metadata-level events about Secrets are common and would otherwise all take the slow path.
    /// </param>
    public static bool MayNeedRedaction(ReadOnlySpan<byte> json, bool hasBodies = true)
    {
        if (HasDisguisingEscape(json))
        {
            return true;
        }

        Span<byte> folded = stackalloc byte[ChunkSize];
        var secretScan = default(AssignmentScan);
        var tokenScan = default(AssignmentScan);
        var passwordScan = default(AssignmentScan);
        for (var start = 0; ; start += ChunkSize - (LongestWord - 1))
        {
            var chunk = folded[..Math.Min(ChunkSize, json.Length - start)];
            FoldAsciiCase(json.Slice(start, chunk.Length), chunk);
            if (chunk.IndexOf("bearer"u8) >= 0
                || HasTrigger(json, start, chunk, "secret"u8, hasBodies ? SecretValues : [], ref secretScan)
                || HasTrigger(json, start, chunk, "token"u8, hasBodies ? TokenValues : [], ref tokenScan)
                || HasTrigger(json, start, chunk, "passw"u8, [], ref passwordScan))
            {
                return true;
            }

            if (start + chunk.Length >= json.Length)
            {
                return false;
            }
        }
    }

    private static bool HasTrigger(
        ReadOnlySpan<byte> json, int chunkStart, ReadOnlySpan<byte> foldedChunk, ReadOnlySpan<byte> word,
        ValueForm[] valueForms, ref AssignmentScan scan)
    {
        var from = 0;
        while (true)
        {
            var found = foldedChunk[from..].IndexOf(word);
            if (found < 0)
            {
                return false;
            }

            var position = chunkStart + from + found;
            var end = position + word.Length;
            if (IsQuotedValue(json, position, end, valueForms) || IsFollowedByAssignment(json, end, ref scan))
            {
                return true;
            }

            from += found + 1;
        }
    }

    /// <summary>True for <c>"word"</c>, <c>"word&lt;suffix&gt;"</c> or their escaped-quote forms, unless a property name.</summary>
    private static bool IsQuotedValue(ReadOnlySpan<byte> json, int position, int end, ValueForm[] forms)
    {
        if (position == 0 || json[position - 1] != '"')
        {
            return false;
        }

        foreach (var form in forms)
        {
            var suffix = form.Suffix;
            if (end + suffix.Length > json.Length || !Ascii.EqualsIgnoreCase(json.Slice(end, suffix.Length), suffix))
            {
                continue;
            }

            // Any number of backslashes may precede the closing quote: JSON nested in JSON strings escapes it again.
            var i = end + suffix.Length;
            while (i < json.Length && json[i] == '\\')
            {
                i++;
            }

            if (i >= json.Length || json[i] != '"')
            {
                continue;
            }

            // Only a name is followed by ':'; anything else (even an escaped colon) counts as a value, which errs safe.
            i = SkipWhitespace(json, i + 1, 1);
            if ((i >= json.Length || json[i] != ':') && (!form.OnlyAsSubresource || IsSubresourceValue(json, position - 1)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the string opening at <paramref name="quote"/> is the value of a "subresource" member.</summary>
    private static bool IsSubresourceValue(ReadOnlySpan<byte> json, int quote)
    {
        var name = "subresource"u8;
        var colon = SkipWhitespace(json, quote - 1, -1);
        if (colon < 0 || json[colon] != ':')
        {
            return false;
        }

        var nameEnd = SkipWhitespace(json, colon - 1, -1);
        var nameStart = nameEnd - name.Length;
        return nameStart >= 1 && json[nameEnd] == '"' && json[nameStart - 1] == '"'
            && Ascii.EqualsIgnoreCase(json.Slice(nameStart, name.Length), name);
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i, int step)
    {
        while (i >= 0 && i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i += step;
        }

        return i;
    }

    /// <summary>True when an <c>=</c> follows before the parameter, fragment or JSON string ends.</summary>
    private static bool IsFollowedByAssignment(ReadOnlySpan<byte> json, int start, ref AssignmentScan scan)
    {
        // Without this memo, many repeats of a word in one long string would rescan the same bytes each time.
        if (start >= scan.From && start < scan.Stop)
        {
            return false;
        }

        var i = start;
        while (true)
        {
            var found = json[i..].IndexOfAny(AssignmentStops);
            if (found < 0)
            {
                scan = new AssignmentScan(start, json.Length);
                return false;
            }

            var stop = i + found;
            if (json[stop] == '=')
            {
                return true;
            }

            if (json[stop] == '"' && IsEscaped(json, start, stop))
            {
                i = stop + 1;
                continue;
            }

            scan = new AssignmentScan(start, stop);
            return false;
        }
    }

    private static bool IsEscaped(ReadOnlySpan<byte> json, int floor, int quote)
    {
        var backslashes = 0;
        for (var i = quote - 1; i >= floor && json[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    /// <summary>A JSON escape or percent-encoding of a character the word search depends on.</summary>
    private static bool HasDisguisingEscape(ReadOnlySpan<byte> json)
    {
        for (var i = json.IndexOf("\\u00"u8); i >= 0;)
        {
            if (i + 5 < json.Length && IsHex(json[i + 4], out var high) && IsHex(json[i + 5], out var low)
                && IsDisguisable((char)((high << 4) | low)))
            {
                return true;
            }

            var next = json[(i + 1)..].IndexOf("\\u00"u8);
            i = next < 0 ? -1 : i + 1 + next;
        }

        for (var i = json.IndexOf((byte)'%'); i >= 0;)
        {
            if (i + 2 < json.Length && json[i + 1] is >= (byte)'4' and <= (byte)'7' && IsHex(json[i + 2], out _))
            {
                return true; // a percent-encoded letter
            }

            var next = json[(i + 1)..].IndexOf((byte)'%');
            i = next < 0 ? -1 : i + 1 + next;
        }

        return false;
    }

    // Letters spell the words; quote, backslash and '=' frame them; '%' starts a percent-encoded query name.
    private static bool IsDisguisable(char c) => char.IsAsciiLetter(c) || c is '"' or '\\' or '=' or '%';

    private static bool IsHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }

    /// <summary>ORs 0x20 into every byte: exactly ASCII lower-casing for letters, and no other byte becomes a letter.</summary>
    private static void FoldAsciiCase(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var caseBit = new Vector<byte>(0x20);
            for (; i <= source.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                (new Vector<byte>(source[i..]) | caseBit).CopyTo(destination[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (byte)(source[i] | 0x20);
        }
    }

    /// <summary>A value the pre-check looks for: the word followed by this suffix, in quotes.</summary>
    private sealed record ValueForm(string Suffix, bool OnlyAsSubresource = false);

    /// <summary>Starts in [From, Stop) are known to reach a non-'=' stop at Stop.</summary>
    private readonly record struct AssignmentScan(int From, int Stop);
}
