using System.Text.Json;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Admission.Testing;

/// <summary>What a guardrail is expected to do to a resource, as kyverno test writes it.</summary>
public enum ExpectedResult
{
    Pass,
    Fail,
    Warn,
    Skip,
}

/// <summary>One expectation: a guardrail (or one of its checks) on some resources, and optionally fields of the patched object.</summary>
public sealed record GuardrailTestCase(
    string Guardrail,
    string? Check,
    string? Kind,
    IReadOnlyList<string> Resources,
    ExpectedResult Result,
    IReadOnlyList<(string Path, IReadOnlyList<string> Tokens, JsonElement Value)> PatchedFields,
    int Line);

/// <summary>
/// A <c>auditrail.io/v1alpha1 GuardrailTest</c> suite: guardrail paths, resource paths, optional
/// namespace paths (all relative to the suite file), and the expected result per guardrail and resource.
/// </summary>
/// <example>
/// <code>
/// apiVersion: auditrail.io/v1alpha1
/// kind: GuardrailTest
/// metadata: {name: no-root}
/// guardrails: [../default/no-root.yaml]
/// resources: [resources/pods.yaml]
/// namespaces: [resources/namespaces.yaml]
/// results:
///   - guardrail: no-root
///     check: run-as-non-root
///     resources: [team-a/root-pod]
///     result: fail
///   - guardrail: compliance-labels
///     resources: [team-a/web]
///     result: pass
///     patchedFields:
///       metadata.labels['compliance.auditrail.io/owner']: team-a
/// </code>
/// </example>
public sealed record GuardrailTestSuite(
    string File,
    string Name,
    IReadOnlyList<string> Guardrails,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Namespaces,
    IReadOnlyList<GuardrailTestCase> Cases)
{
    public const string Kind = "GuardrailTest";

    private static readonly HashSet<string> SuiteKeys = ["apiVersion", "kind", "metadata", "guardrails", "resources", "namespaces", "results"];
    private static readonly HashSet<string> CaseKeys = ["guardrail", "check", "kind", "resources", "resource", "result", "patchedFields"];

    /// <summary>Reads a suite; null (with diagnostics) when it cannot be used at all. A bad case is reported and left out.</summary>
    public static GuardrailTestSuite? Load(string file, List<AdmissionDiagnostic> diagnostics)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(System.IO.File.ReadAllText(file)));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                diagnostics.Add(new AdmissionDiagnostic(file, 1, 1, AdmissionCodes.SuiteError, "a suite is one YAML mapping document"));
                return null;
            }

            root = map;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new AdmissionDiagnostic(file, 0, 0, AdmissionCodes.SuiteError, $"cannot read: {ex.Message}"));
            return null;
        }
        catch (InvalidOperationException)
        {
            diagnostics.Add(new AdmissionDiagnostic(file, 1, 1, AdmissionCodes.SuiteError, "malformed YAML"));
            return null;
        }
        catch (YamlException ex)
        {
            diagnostics.Add(new AdmissionDiagnostic(file, (int)ex.Start.Line, (int)ex.Start.Column, AdmissionCodes.SuiteError, ex.InnerException?.Message ?? ex.Message));
            return null;
        }

        var errors = new SuiteErrors(file, diagnostics);
        if (Scalar(root, "apiVersion") != GuardrailLoader.ApiVersion || Scalar(root, "kind") != Kind)
        {
            errors.Add(root, $"expected apiVersion {GuardrailLoader.ApiVersion} and kind {Kind}");
            return null;
        }

        errors.CheckKeys(root, SuiteKeys, "suite");
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var guardrails = Paths(root, "guardrails", directory, errors);
        var resources = Paths(root, "resources", directory, errors);
        if (guardrails.Count == 0 || resources.Count == 0)
        {
            errors.Add(root, "a suite needs guardrails and resources");
            return null;
        }

        var cases = new List<GuardrailTestCase>();
        if (root.Children.TryGetValue(new YamlScalarNode("results"), out var results) && results is YamlSequenceNode list)
        {
            foreach (var item in list.Children)
            {
                if (item is YamlMappingNode map && ParseCase(map, errors) is { } parsed)
                {
                    cases.Add(parsed);
                }
                else if (item is not YamlMappingNode)
                {
                    errors.Add(item, "each result must be a mapping");
                }
            }
        }
        else
        {
            errors.Add(root, "a suite needs a list of results");
        }

        var name = root.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata) && metadata is YamlMappingNode m ? Scalar(m, "name") : null;
        return new GuardrailTestSuite(file, name ?? Path.GetFileNameWithoutExtension(file), guardrails, resources, Paths(root, "namespaces", directory, errors), cases);
    }

    private static GuardrailTestCase? ParseCase(YamlMappingNode map, SuiteErrors errors)
    {
        errors.CheckKeys(map, CaseKeys, "result");
        var guardrail = Scalar(map, "guardrail");
        var resultText = Scalar(map, "result");
        var resources = new List<string>();
        if (Scalar(map, "resource") is { } single)
        {
            resources.Add(single);
        }

        if (map.Children.TryGetValue(new YamlScalarNode("resources"), out var list) && list is YamlSequenceNode sequence)
        {
            resources.AddRange(sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty));
        }

        if (guardrail is null || resources.Count == 0 || !Enum.TryParse<ExpectedResult>(resultText, ignoreCase: true, out var expected))
        {
            errors.Add(map, "a result needs guardrail, resources and result (pass, fail, warn or skip)");
            return null;
        }

        var patched = new List<(string, IReadOnlyList<string>, JsonElement)>();
        if (map.Children.TryGetValue(new YamlScalarNode("patchedFields"), out var fields) && fields is YamlMappingNode fieldMap)
        {
            foreach (var (key, value) in fieldMap.Children)
            {
                var path = ((YamlScalarNode)key).Value ?? string.Empty;
                if (FieldPath.Parse(path, out var problem) is { } tokens && !tokens.Contains(FieldPath.EachElement))
                {
                    using var document = JsonDocument.Parse(YamlJson.ToNode(value)?.ToJsonString() ?? "null");
                    patched.Add((path, tokens, document.RootElement.Clone()));
                }
                else
                {
                    errors.Add(key, problem ?? $"patchedFields path '{path}' must name one field ([*] is not allowed)");
                }
            }
        }

        return new GuardrailTestCase(guardrail, Scalar(map, "check"), Scalar(map, "kind"), resources, expected, patched, (int)map.Start.Line);
    }

    private static List<string> Paths(YamlMappingNode root, string key, string directory, SuiteErrors errors)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            errors.Add(node, $"'{key}' must be a list of paths");
            return [];
        }

        var paths = new List<string>();
        foreach (var item in sequence.Children.OfType<YamlScalarNode>())
        {
            var path = Path.GetFullPath(Path.Combine(directory, item.Value ?? string.Empty));
            if (Path.Exists(path))
            {
                paths.Add(path);
            }
            else
            {
                errors.Add(item, $"{key}: '{item.Value}' not found");
            }
        }

        return paths;
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } text } ? text : null;

    private sealed class SuiteErrors(string file, List<AdmissionDiagnostic> diagnostics)
    {
        public void Add(YamlNode node, string message) =>
            diagnostics.Add(new AdmissionDiagnostic(file, (int)node.Start.Line, (int)node.Start.Column, AdmissionCodes.SuiteError, message));

        public void CheckKeys(YamlMappingNode map, HashSet<string> allowed, string owner)
        {
            foreach (var key in map.Children.Keys.OfType<YamlScalarNode>().Where(k => !allowed.Contains(k.Value ?? string.Empty)))
            {
                Add(key, $"unknown field '{key.Value}' in {owner}");
            }
        }
    }
}
