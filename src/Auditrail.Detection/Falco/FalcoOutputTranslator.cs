using System.Text;

namespace Auditrail.Detection.Falco;

/// <summary>
/// Translates a Falco output (<c>user=%ka.user.name image=%ka.req.pod.containers.image[0]</c>) to an
/// output template: catalog fields become <c>%{field}</c>, anything else a <c>%{= expression}</c>
/// with the field's CEL reading. Like Falco, a field is the longest known name after '%', with an
/// optional <c>[argument]</c>; an absent value prints <c>&lt;NA&gt;</c>.
/// </summary>
internal static class FalcoOutputTranslator
{
    private static readonly HashSet<string> Known = [.. FalcoFields.Names];

    /// <summary>The template.</summary>
    /// <exception cref="FalcoTranslationException">The output names a field with no translation.</exception>
    public static string Translate(string output)
    {
        var template = new StringBuilder();
        var i = 0;
        while (i < output.Length)
        {
            if (output[i] != '%' || i + 1 >= output.Length || !char.IsAsciiLetter(output[i + 1]))
            {
                template.Append(output[i++]);
                continue;
            }

            var start = i + 1;
            var (name, end) = LongestField(output, start);
            if (name is null)
            {
                throw new FalcoTranslationException($"output refers to unknown field %{output[start..end]}", i);
            }

            string? argument = null;
            if (end < output.Length && output[end] == '[')
            {
                var close = output.IndexOf(']', end);
                if (close < 0)
                {
                    throw new FalcoTranslationException($"output field %{name}[ is not closed with ']'", end);
                }

                argument = output[(end + 1)..close];
                end = close + 1;
            }

            var value = FalcoFields.Resolve(name, argument, out var error) ?? throw new FalcoTranslationException($"output: {error}", i);
            template.Append(Placeholder(value));
            i = end;
        }

        return template.ToString();
    }

    /// <summary>The longest known field name starting at <paramref name="start"/>, and where it ends; null (and the end of the word) when there is none.</summary>
    private static (string? Name, int End) LongestField(string text, int start)
    {
        var end = start;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_' || (text[end] == '.' && end + 1 < text.Length && char.IsAsciiLetterOrDigit(text[end + 1]))))
        {
            end++;
        }

        // Shorter and shorter by dotted parts: "%ka.target.name.x" is ka.target.name followed by ".x".
        for (var candidate = end; candidate > start; candidate = text.LastIndexOf('.', candidate - 1, candidate - start))
        {
            if (Known.Contains(text[start..candidate]))
            {
                return (text[start..candidate], candidate);
            }
        }

        return (null, end);
    }

    private static string Placeholder(FalcoFieldValue value) => value switch
    {
        GuardedValue { CatalogField: { } field } => $"%{{{field}}}",
        GuardedValue { Guard: null } guarded => $"%{{= {guarded.Value}}}",
        GuardedValue guarded => $"%{{= {guarded.Guard} ? {FalcoConditionTranslator.Operand(guarded.Value)} : null}}",
        OptionalValue optional => $"%{{= {optional.Values}}}",
        ListValue list => $"%{{= {list.Values}}}",
        _ => throw new InvalidOperationException(value.GetType().Name),
    };
}
