using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Auditrail.Core.Redaction;

namespace Auditrail.Core.Tests.Redaction;

/// <summary>
/// The pre-check's one promise — never false when Redact would change something — checked on rewritten variants of
/// every fixture event: random letter case, escapes an encoder may produce, whitespace and chunk-shifting padding.
/// </summary>
public sealed class PreCheckPropertyTests
{
    public enum Mutation
    {
        /// <summary>Flips letters between cases, in names and values alike.</summary>
        LetterCase,

        /// <summary>Escapes what Go or System.Text.Json escape (&lt; &gt; &amp; ' + / and non-ASCII), which the pre-check must see through.</summary>
        EncoderEscapes,

        /// <summary>Escapes any character, letters included.</summary>
        AnyEscapes,
    }

    [Theory]
    [InlineData(Mutation.LetterCase)]
    [InlineData(Mutation.EncoderEscapes)]
    [InlineData(Mutation.AnyEscapes)]
    public void PreCheck_never_misses_an_event_that_Redact_changes(Mutation mutation)
    {
        var random = new Random(20250301 + (int)mutation);
        var redactedVariants = 0;
        foreach (var (file, line, json) in RedactionCorpus.Events([RedactionCorpus.FixturePath]))
        {
            using var document = JsonDocument.Parse(json);
            for (var variant = 0; variant < 40; variant++)
            {
                var mutated = Encoding.UTF8.GetBytes(Rewrite(document.RootElement, mutation, random));
                var result = EventRedactor.Redact(mutated, new ArrayBufferWriter<byte>());

                Assert.True(result.Parsed, $"{file}:{line} variant {variant}");
                if (result.Count > 0)
                {
                    redactedVariants++;
                    Assert.True(EventRedactor.MayNeedRedaction(mutated), $"{file}:{line} variant {variant}: {Encoding.UTF8.GetString(mutated)}");
                    Assert.True(EventRedactor.MayNeedRedaction(mutated, RedactionAssert.HasBodies(mutated)), $"{file}:{line} variant {variant} (bodies-aware)");
                }
            }
        }

        Assert.True(redactedVariants > 400);
    }

    private static string Rewrite(JsonElement root, Mutation mutation, Random random)
    {
        // Leading padding moves every word across the pre-check's internal chunk borders.
        var json = new StringBuilder(new string(' ', random.Next(0, 1100)));
        Write(root, json, mutation, random);
        return json.ToString();
    }

    private static void Write(JsonElement element, StringBuilder json, Mutation mutation, Random random)
    {
        json.Append(random.Next(4) == 0 ? " \n" : "");
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.Append('{');
                var firstMember = true;
                foreach (var member in element.EnumerateObject())
                {
                    json.Append(firstMember ? "" : ",");
                    firstMember = false;
                    WriteString(member.Name, json, mutation, random);
                    json.Append(random.Next(4) == 0 ? " : " : ":");
                    Write(member.Value, json, mutation, random);
                }

                json.Append('}');
                break;
            case JsonValueKind.Array:
                json.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    json.Append(firstItem ? "" : ",");
                    firstItem = false;
                    Write(item, json, mutation, random);
                }

                json.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, json, mutation, random);
                break;
            default:
                json.Append(element.GetRawText());
                break;
        }
    }

    private static void WriteString(string text, StringBuilder json, Mutation mutation, Random random)
    {
        json.Append('"');
        foreach (var original in text)
        {
            var c = mutation == Mutation.LetterCase && char.IsAsciiLetter(original) && random.Next(3) == 0
                ? (char)(original ^ 0x20)
                : original;
            var escape = c is '"' or '\\' || c < 0x20 || mutation switch
            {
                Mutation.EncoderEscapes => (c is '<' or '>' or '&' or '\'' or '+' or '/' || c > 0x7F) && random.Next(2) == 0,
                Mutation.AnyEscapes => random.Next(6) == 0,
                _ => false,
            };
            json.Append(escape ? "\\u" + ((int)c).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture) : c);
        }

        json.Append('"');
    }
}
