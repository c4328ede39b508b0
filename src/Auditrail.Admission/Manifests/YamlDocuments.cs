using Auditrail.Admission.Guardrails;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Admission.Manifests;

/// <summary>One document of a multi-document YAML text and the 1-based line it starts on.</summary>
internal readonly record struct YamlChunk(string Text, int FirstLine);

/// <summary>
/// Splits a YAML stream at its document markers so each document parses alone: a syntax error in one
/// leaves the others readable. A <c>---</c> or <c>...</c> at the start of a line always ends a document
/// in YAML (even inside a block scalar, whose lines are indented), so splitting by lines is exact.
/// </summary>
internal static class YamlDocuments
{
    public static IEnumerable<YamlChunk> Split(string text)
    {
        var lines = text.Split('\n');
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var isStart = line == "---" || line.StartsWith("--- ", StringComparison.Ordinal) || line.StartsWith("---\t", StringComparison.Ordinal);
            if (!isStart && line != "...")
            {
                continue;
            }

            if (HasContent(lines, start, i))
            {
                yield return new YamlChunk(string.Join('\n', lines[start..i]), start + 1);
            }

            // "--- {a: 1}" carries content on the marker line: the document starts there.
            start = isStart && line.Length > 3 ? i : i + 1;
            if (start == i)
            {
                lines[i] = "   " + line[3..];
            }
        }

        if (HasContent(lines, start, lines.Length))
        {
            yield return new YamlChunk(string.Join('\n', lines[start..]), start + 1);
        }
    }

    private static bool HasContent(string[] lines, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.Length > 0 && !trimmed.StartsWith('#') && !trimmed.StartsWith('%'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Parses one document; on a syntax error adds a diagnostic placed in the file and returns null.
    /// YamlDotNet reports most errors as <see cref="YamlException"/> with a position, but some malformed
    /// flow collections end its scanner with <see cref="InvalidOperationException"/> instead: placed at the document's start.
    /// </summary>
    public static YamlStream? Parse(YamlChunk chunk, string file, string code, string prefix, List<AdmissionDiagnostic> diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(chunk.Text));
            return stream;
        }
        catch (YamlException ex)
        {
            diagnostics.Add(new AdmissionDiagnostic(file, chunk.FirstLine + (int)ex.Start.Line - 1, (int)ex.Start.Column, code, prefix + (ex.InnerException?.Message ?? ex.Message)));
        }
        catch (InvalidOperationException)
        {
            diagnostics.Add(new AdmissionDiagnostic(file, chunk.FirstLine, 1, code, prefix + "malformed YAML in this document (an unterminated flow collection or scalar?)"));
        }

        return null;
    }
}
