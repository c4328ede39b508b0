using Auditrail.Rbac.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Rbac.Loading;

/// <summary>
/// Splits a YAML or JSON file into its documents. A syntax error in one document of a multi-document
/// file should not lose the others (one broken manifest in a <c>kubectl get -o yaml</c> dump is
/// common after hand edits), so when the whole stream does not parse, each <c>---</c>-separated part
/// is parsed alone and only the broken parts are reported.
/// </summary>
internal static class ManifestDocuments
{
    public static List<YamlNode> Parse(string text, string file, List<RbacDiagnostic> diagnostics)
    {
        if (TryLoad(text, out var documents, out _))
        {
            return documents;
        }

        var result = new List<YamlNode>();
        foreach (var (part, firstLine) in SplitAtDocumentMarkers(text))
        {
            // Blank lines keep every node's line number equal to its line in the file.
            var padded = string.Concat(Enumerable.Repeat("\n", firstLine - 1)) + part;
            if (TryLoad(padded, out var partDocuments, out var error))
            {
                result.AddRange(partDocuments);
            }
            else
            {
                diagnostics.Add(new RbacDiagnostic(RbacCodes.YamlSyntax, RbacDiagnosticSeverity.Error,
                    new ManifestLocation(file, (int)error!.Start.Line, (int)error.Start.Column),
                    $"{error.InnerException?.Message ?? error.Message}; the document is skipped"));
            }
        }

        return result;
    }

    private static bool TryLoad(string text, out List<YamlNode> documents, out YamlException? error)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            documents = [];
            error = ex;
            return false;
        }

        documents = [.. stream.Documents.Select(d => d.RootNode)];
        error = null;
        return true;
    }

    /// <summary>
    /// The parts between lines that start with <c>---</c> at column 0, with each part's first line
    /// (1-based). Inside a block scalar such a line would be indented, so the split only errs on
    /// multi-line quoted strings, which RBAC objects do not hold.
    /// </summary>
    private static IEnumerable<(string Part, int FirstLine)> SplitAtDocumentMarkers(string text)
    {
        var lines = text.Split('\n');
        var start = 0;
        for (var i = 0; i <= lines.Length; i++)
        {
            if (i < lines.Length && !IsDocumentMarker(lines[i]))
            {
                continue;
            }

            if (i > start)
            {
                yield return (string.Join('\n', lines[start..i]), start + 1);
            }

            start = i;
        }
    }

    private static bool IsDocumentMarker(string line) =>
        line.StartsWith("---", StringComparison.Ordinal) && (line.Length == 3 || char.IsWhiteSpace(line[3]));
}
