using System.Text.Json;
using Auditrail.Admission.Guardrails;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Admission.Manifests;

/// <summary>
/// One Kubernetes object read from a file: where it came from (file, the YAML document's index, the
/// line it starts on) and the object as JSON.
/// </summary>
public sealed record Manifest(string Source, int DocumentIndex, int Line, JsonElement Object)
{
    public string Kind => Object.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString()! : string.Empty;

    public string ApiVersion => Object.TryGetProperty("apiVersion", out var version) && version.ValueKind == JsonValueKind.String ? version.GetString()! : string.Empty;

    public string? Name => Metadata("name");

    public string? Namespace => Metadata("namespace");

    private string? Metadata(string field) =>
        Object.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public override string ToString() => $"{Source}:{Line}";
}

/// <summary>
/// Reads the objects to check from files and directories: multi-document YAML, JSON (YAML's subset),
/// and <c>kind: List</c> (any <c>…List</c> kind with <c>items</c>, as kubectl writes) expanded item by
/// item. A document that cannot be used is a diagnostic with its place; the others are still read.
/// </summary>
public static class ManifestReader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static IReadOnlyList<Manifest> ReadPaths(IEnumerable<string> paths, List<AdmissionDiagnostic> diagnostics)
    {
        var manifests = new List<Manifest>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                             .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                             .Order(StringComparer.Ordinal))
                {
                    manifests.AddRange(ReadFile(file, diagnostics));
                }
            }
            else
            {
                manifests.AddRange(ReadFile(path, diagnostics));
            }
        }

        return manifests;
    }

    public static IReadOnlyList<Manifest> ReadFile(string path, List<AdmissionDiagnostic> diagnostics)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new AdmissionDiagnostic(path, 0, 0, AdmissionCodes.ManifestSyntax, $"cannot read: {ex.Message}"));
            return [];
        }

        return ReadText(text, path, diagnostics);
    }

    public static IReadOnlyList<Manifest> ReadText(string text, string source, List<AdmissionDiagnostic> diagnostics)
    {
        var manifests = new List<Manifest>();
        var documentIndex = 0;
        foreach (var chunk in YamlDocuments.Split(text))
        {
            if (YamlDocuments.Parse(chunk, source, AdmissionCodes.ManifestSyntax, $"document {documentIndex}: ", diagnostics) is not { } stream)
            {
                // A broken document is reported and skipped; the documents around it are still read.
                documentIndex++;
                continue;
            }

            foreach (var document in stream.Documents)
            {
                AddDocument(document.RootNode, new Place(source, chunk.FirstLine - 1), documentIndex, manifests, diagnostics);
            }

            documentIndex++;
        }

        return manifests;
    }

    private static void AddDocument(YamlNode root, Place place, int documentIndex, List<Manifest> manifests, List<AdmissionDiagnostic> diagnostics)
    {
        // An empty document (a trailing "---") is not an object and not a mistake.
        if (root is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (root is not YamlMappingNode map)
        {
            diagnostics.Add(place.At(root, AdmissionCodes.NotAnObject, $"document {documentIndex} is not a mapping"));
            return;
        }

        var kind = Scalar(map, "kind");
        if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && map.Children.TryGetValue(new YamlScalarNode("items"), out var items))
        {
            if (items is not YamlSequenceNode sequence)
            {
                diagnostics.Add(place.At(items, AdmissionCodes.NotAnObject, $"document {documentIndex}: {kind}.items is not a list"));
                return;
            }

            foreach (var item in sequence.Children)
            {
                AddObject(item, place, documentIndex, manifests, diagnostics);
            }

            return;
        }

        AddObject(map, place, documentIndex, manifests, diagnostics);
    }

    private static void AddObject(YamlNode node, Place place, int documentIndex, List<Manifest> manifests, List<AdmissionDiagnostic> diagnostics)
    {
        if (node is not YamlMappingNode map || Scalar(map, "kind") is null || Scalar(map, "apiVersion") is null)
        {
            diagnostics.Add(place.At(node, AdmissionCodes.NotAnObject, $"document {documentIndex}: not a Kubernetes object (apiVersion and kind are required)"));
            return;
        }

        var json = YamlJson.ToNode(map)!;
        using var document = JsonDocument.Parse(json.ToJsonString());
        manifests.Add(new Manifest(place.File, documentIndex, place.LineOffset + (int)node.Start.Line, document.RootElement.Clone()));
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;

    /// <summary>A document's file and the lines before it, to place what is found inside it.</summary>
    private readonly record struct Place(string File, int LineOffset)
    {
        public AdmissionDiagnostic At(YamlNode node, string code, string message) =>
            new(File, LineOffset + (int)node.Start.Line, (int)node.Start.Column, code, message);
    }
}
