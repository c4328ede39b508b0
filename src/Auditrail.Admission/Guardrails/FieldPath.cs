namespace Auditrail.Admission.Guardrails;

/// <summary>
/// The paths <c>setDefaults</c> writes to: dotted field names, <c>['a.b/c']</c> for a key holding dots
/// or slashes, <c>[0]</c> for one element of a list and <c>[*]</c> for every element
/// (<c>spec.containers[*].securityContext.allowPrivilegeEscalation</c>).
/// </summary>
internal static class FieldPath
{
    /// <summary>The segment that stands for every element of a list.</summary>
    public const string EachElement = "[*]";

    public static IReadOnlyList<string>? Parse(string text, out string? problem)
    {
        var segments = new List<string>();
        var i = 0;
        problem = null;
        while (i < text.Length)
        {
            if (text[i] == '.' && segments.Count > 0)
            {
                i++;
            }

            if (text.AsSpan(i).StartsWith(EachElement, StringComparison.Ordinal))
            {
                segments.Add(EachElement);
                i += EachElement.Length;
                continue;
            }

            if (text[i] == '[' && text.IndexOf(']', i) is var close and > 0 && int.TryParse(text.AsSpan(i + 1, close - i - 1), out _))
            {
                // A list index ([0]): test suites name single elements; setDefaults writes through [*].
                segments.Add(text[(i + 1)..close]);
                i = close + 1;
                continue;
            }

            if (text.AsSpan(i).StartsWith("['", StringComparison.Ordinal))
            {
                var end = text.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    problem = $"path '{text}': unterminated ['…'] at {i}";
                    return null;
                }

                segments.Add(text[(i + 2)..end]);
                i = end + 2;
                continue;
            }

            var start = i;
            while (i < text.Length && text[i] is not ('.' or '['))
            {
                i++;
            }

            if (i == start)
            {
                problem = $"path '{text}': empty field name at {i}";
                return null;
            }

            segments.Add(text[start..i]);
        }

        if (segments.Count == 0 || segments[^1] == EachElement)
        {
            problem = $"path '{text}' must end in a field name";
            return null;
        }

        return segments;
    }
}
