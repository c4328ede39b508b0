using System.Text.Json;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Review;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Admission.Guardrails;

/// <summary>
/// Reads <c>auditrail.io/v1alpha1 Guardrail</c> documents from files and directories. Every problem
/// (YAML syntax, an unknown or mistyped field, a missing one) is a diagnostic with file:line:column;
/// a document with a problem is left out and the other documents still load. CEL is compiled later,
/// by <see cref="GuardrailCompiler"/>, which places its errors the same way.
/// </summary>
/// <example>
/// <code>
/// apiVersion: auditrail.io/v1alpha1
/// kind: Guardrail
/// metadata: {name: replica-cap}
/// spec:
///   match: {kinds: [apps/v1/Deployment]}
///   params: {maxReplicas: 10}
///   validations:
///     - id: replicas
///       expression: object.spec.replicas &lt;= params.maxReplicas
///       messageExpression: "'replicas must be at most ' + string(params.maxReplicas)"
/// </code>
/// </example>
public sealed class GuardrailLoader
{
    public const string ApiVersion = "auditrail.io/v1alpha1";
    public const string Kind = "Guardrail";

    private static readonly HashSet<string> DocumentKeys = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly HashSet<string> MetadataKeys = ["name", "labels", "annotations"];
    private static readonly HashSet<string> SpecKeys =
        ["description", "action", "failurePolicy", "severity", "category", "match", "params", "variables", "validations", "mutations"];
    private static readonly HashSet<string> MatchKeys =
        ["kinds", "apiGroups", "operations", "namespaces", "excludeNamespaces", "namespaceSelector", "users", "groups", "subresources"];
    private static readonly HashSet<string> SelectorKeys = ["matchLabels", "matchExpressions"];
    private static readonly HashSet<string> RequirementKeys = ["key", "operator", "values"];
    private static readonly HashSet<string> VariableKeys = ["name", "expression"];
    private static readonly HashSet<string> ValidationKeys = ["id", "expression", "message", "messageExpression", "reason"];
    private static readonly HashSet<string> MutationKeys = ["id", "condition", "addLabels", "addAnnotations", "setDefaults"];
    private static readonly HashSet<string> EntryKeys = ["key", "value", "valueExpression", "overwrite"];
    private static readonly HashSet<string> DefaultKeys = ["path", "value", "valueExpression"];
    private static readonly string[] Severities = ["info", "low", "medium", "high", "critical"];

    /// <summary>The reasons ValidatingAdmissionPolicy allows for a validation.</summary>
    private static readonly string[] Reasons = ["Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"];

    private readonly List<AdmissionDiagnostic> _diagnostics = [];
    private readonly List<GuardrailDefinition> _guardrails = [];
    private int _errorsBefore;

    public IReadOnlyList<AdmissionDiagnostic> Diagnostics => _diagnostics;

    public IReadOnlyList<GuardrailDefinition> Guardrails => _guardrails;

    public bool HasErrors => _diagnostics.Exists(d => !d.IsWarning);

    /// <summary>Loads a file, or every <c>.yaml</c>/<c>.yml</c> file under a directory in name order.</summary>
    public void LoadPath(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                         .Order(StringComparer.Ordinal))
            {
                LoadFile(file);
            }
        }
        else
        {
            LoadFile(path);
        }
    }

    public void LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _diagnostics.Add(new AdmissionDiagnostic(path, 0, 0, AdmissionCodes.YamlSyntax, $"cannot read: {ex.Message}"));
            return;
        }

        LoadText(text, path);
    }

    public void LoadText(string text, string file)
    {
        foreach (var chunk in YamlDocuments.Split(text))
        {
            if (YamlDocuments.Parse(chunk, file, AdmissionCodes.YamlSyntax, string.Empty, _diagnostics) is not { } stream)
            {
                continue;
            }

            foreach (var document in stream.Documents)
            {
                LoadDocument(document.RootNode, new DocumentPlace(file, chunk.FirstLine - 1));
            }
        }
    }

    /// <summary>Where a document sits: its file and the lines before it (documents are parsed one by one).</summary>
    private readonly record struct DocumentPlace(string File, int LineOffset)
    {
        public SourcePlace Of(YamlNode node) => new(File, LineOffset + (int)node.Start.Line, (int)node.Start.Column);
    }

    private void LoadDocument(YamlNode root, DocumentPlace place)
    {
        if (root is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (root is not YamlMappingNode document)
        {
            Error(place, root, AdmissionCodes.UnknownDocument, "a guardrail document must be a mapping");
            return;
        }

        _errorsBefore = _diagnostics.Count(d => !d.IsWarning);
        var apiVersion = Scalar(document, "apiVersion");
        var kind = Scalar(document, "kind");
        if (apiVersion != ApiVersion || kind != Kind)
        {
            Error(place, document, AdmissionCodes.UnknownDocument, $"expected apiVersion {ApiVersion} and kind {Kind}, found '{apiVersion}' '{kind}'");
            return;
        }

        CheckKeys(place, document, DocumentKeys, "document");
        var metadata = Map(place, document, "metadata", required: true);
        var name = metadata is null ? null : RequiredString(place, metadata, "name", "metadata");
        if (metadata is not null)
        {
            CheckKeys(place, metadata, MetadataKeys, "metadata");
        }

        var spec = Map(place, document, "spec", required: true);
        if (name is null || spec is null)
        {
            return;
        }

        CheckKeys(place, spec, SpecKeys, "spec");
        var guardrail = new GuardrailDefinition
        {
            Name = name,
            Place = place.Of(document),
            Description = String(place, spec, "description") ?? string.Empty,
            Action = Enum(place, spec, "action", ["deny", "warn", "audit"]) switch
            {
                "warn" => FindingAction.Warn,
                "audit" => FindingAction.Audit,
                _ => FindingAction.Deny,
            },
            FailurePolicy = Enum(place, spec, "failurePolicy", ["Fail", "Ignore"]) == "Ignore" ? FailurePolicy.Ignore : FailurePolicy.Fail,
            Severity = Enum(place, spec, "severity", Severities),
            Category = String(place, spec, "category"),
            Match = ParseMatch(place, spec),
            Params = ParseParams(place, spec),
            Variables = Items(place, spec, "variables", item => ParseVariable(place, item)),
            Validations = Items(place, spec, "validations", (item, index) => ParseValidation(place, item, index)),
            Mutations = Items(place, spec, "mutations", (item, index) => ParseMutation(place, item, index)),
        };

        if (guardrail.Validations.Count == 0 && guardrail.Mutations.Count == 0)
        {
            Error(place, spec, AdmissionCodes.MissingField, $"guardrail '{name}': spec needs validations, mutations or both");
        }

        CheckUnique(place, spec, "variables", guardrail.Variables.Select(v => v.Name), "variable");
        CheckUnique(place, spec, "validations", guardrail.Validations.Select(v => v.Id), "validation id");
        CheckUnique(place, spec, "mutations", guardrail.Mutations.Select(m => m.Id), "mutation id");
        if (_guardrails.Exists(g => g.Name == name))
        {
            Error(place, document, AdmissionCodes.DuplicateName, $"guardrail '{name}' is defined twice; the first one is kept");
            return;
        }

        // Any error in this document leaves the guardrail out: half a guardrail would enforce something nobody wrote.
        if (_diagnostics.Count(d => !d.IsWarning) == _errorsBefore)
        {
            _guardrails.Add(guardrail);
        }
    }

    private GuardrailMatch ParseMatch(DocumentPlace place, YamlMappingNode spec)
    {
        if (Map(place, spec, "match", required: false) is not { } match)
        {
            return new GuardrailMatch();
        }

        CheckKeys(place, match, MatchKeys, "match");
        var apiGroups = Strings(place, match, "apiGroups", allowEmpty: true);
        var kinds = new List<KindMatcher>();
        foreach (var (text, node) in StringsWithNodes(place, match, "kinds"))
        {
            var parts = text.Split('/');
            switch (parts.Length)
            {
                case 1 when apiGroups.Count == 0:
                    kinds.Add(new KindMatcher("*", "*", parts[0]));
                    break;
                case 1:
                    kinds.AddRange(apiGroups.Select(group => new KindMatcher(group, "*", parts[0])));
                    break;
                case 2:
                    kinds.Add(new KindMatcher(string.Empty, parts[0], parts[1]));
                    break;
                case 3:
                    kinds.Add(new KindMatcher(parts[0], parts[1], parts[2]));
                    break;
                default:
                    Error(place, node, AdmissionCodes.InvalidValue, $"kind '{text}' is not Kind, version/Kind or group/version/Kind");
                    break;
            }
        }

        var operations = new List<AdmissionOperation>();
        foreach (var (text, node) in StringsWithNodes(place, match, "operations"))
        {
            switch (text)
            {
                case "*":
                    operations.AddRange(System.Enum.GetValues<AdmissionOperation>());
                    break;
                case "CREATE" or "UPDATE" or "DELETE" or "CONNECT":
                    operations.Add(System.Enum.Parse<AdmissionOperation>(text, ignoreCase: true));
                    break;
                default:
                    Error(place, node, AdmissionCodes.InvalidValue, $"operation '{text}' is not CREATE, UPDATE, DELETE, CONNECT or *");
                    break;
            }
        }

        return new GuardrailMatch
        {
            Kinds = kinds,
            Operations = operations.Count > 0 ? operations.Distinct().ToList() : new GuardrailMatch().Operations,
            Namespaces = Strings(place, match, "namespaces"),
            ExcludeNamespaces = Strings(place, match, "excludeNamespaces"),
            NamespaceSelector = ParseSelector(place, match),
            Users = Strings(place, match, "users"),
            Groups = Strings(place, match, "groups"),
            Subresources = Strings(place, match, "subresources"),
        };
    }

    private LabelSelector? ParseSelector(DocumentPlace place, YamlMappingNode match)
    {
        if (Map(place, match, "namespaceSelector", required: false) is not { } selector)
        {
            return null;
        }

        CheckKeys(place, selector, SelectorKeys, "namespaceSelector");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Map(place, selector, "matchLabels", required: false) is { } matchLabels)
        {
            foreach (var (key, value) in matchLabels.Children)
            {
                if (key is YamlScalarNode { Value: { } name } && value is YamlScalarNode { Value: { } text })
                {
                    labels[name] = text;
                }
                else
                {
                    Error(place, value, AdmissionCodes.InvalidValue, "matchLabels maps label names to string values");
                }
            }
        }

        var requirements = Items(place, selector, "matchExpressions", item =>
        {
            CheckKeys(place, item, RequirementKeys, "matchExpressions item");
            var key = RequiredString(place, item, "key", "matchExpressions item");
            var op = Enum(place, item, "operator", ["In", "NotIn", "Exists", "DoesNotExist"]);
            var values = Strings(place, item, "values");
            if (op is null)
            {
                Error(place, item, AdmissionCodes.MissingField, "matchExpressions item needs an operator");
            }
            else if ((op is "In" or "NotIn") != (values.Count > 0))
            {
                // As the apiserver validates selectors: In and NotIn need values, Exists and DoesNotExist take none.
                Error(place, item, AdmissionCodes.InvalidValue, $"operator {op} {(op is "In" or "NotIn" ? "needs" : "takes no")} values");
            }

            return key is null || op is null ? null : new LabelRequirement(key, op, values);
        });
        return new LabelSelector(labels, requirements);
    }

    private JsonElement? ParseParams(DocumentPlace place, YamlMappingNode spec)
    {
        if (Map(place, spec, "params", required: false) is not { } node)
        {
            return null;
        }

        return ToJson(node);
    }

    private static JsonElement ToJson(YamlNode node)
    {
        using var document = JsonDocument.Parse(YamlJson.ToNode(node)?.ToJsonString() ?? "null");
        return document.RootElement.Clone();
    }

    private GuardrailVariable? ParseVariable(DocumentPlace place, YamlMappingNode item)
    {
        CheckKeys(place, item, VariableKeys, "variable");
        var name = RequiredString(place, item, "name", "variable");
        if (name is not null && !IsIdentifier(name))
        {
            Error(place, item, AdmissionCodes.InvalidValue, $"variable name '{name}' is not a CEL identifier");
            return null;
        }

        var expression = Expression(place, item, "expression", required: true);
        return name is null || expression is null ? null : new GuardrailVariable(name, expression);
    }

    private GuardrailValidation? ParseValidation(DocumentPlace place, YamlMappingNode item, int index)
    {
        CheckKeys(place, item, ValidationKeys, "validation");
        var expression = Expression(place, item, "expression", required: true);
        var reason = Enum(place, item, "reason", Reasons) ?? "Forbidden";
        return expression is null
            ? null
            : new GuardrailValidation(String(place, item, "id") ?? $"validation-{index + 1}", expression, String(place, item, "message"),
                Expression(place, item, "messageExpression", required: false), reason, place.Of(item));
    }

    private GuardrailMutation? ParseMutation(DocumentPlace place, YamlMappingNode item, int index)
    {
        CheckKeys(place, item, MutationKeys, "mutation");
        var labels = Items(place, item, "addLabels", entry => ParseEntry(place, entry, isLabel: true));
        var annotations = Items(place, item, "addAnnotations", entry => ParseEntry(place, entry, isLabel: false));
        var defaults = Items(place, item, "setDefaults", entry => ParseDefault(place, entry));
        if (labels.Count + annotations.Count + defaults.Count == 0)
        {
            Error(place, item, AdmissionCodes.MissingField, "a mutation needs addLabels, addAnnotations or setDefaults");
        }

        return new GuardrailMutation(String(place, item, "id") ?? $"mutation-{index + 1}", Expression(place, item, "condition", required: false),
            labels, annotations, defaults, place.Of(item));
    }

    private MetadataEntry? ParseEntry(DocumentPlace place, YamlMappingNode item, bool isLabel)
    {
        CheckKeys(place, item, EntryKeys, isLabel ? "addLabels item" : "addAnnotations item");
        var key = RequiredString(place, item, "key", "entry");
        if (key is not null && !MetadataNames.IsQualifiedName(key))
        {
            // Label and annotation keys share the syntax.
            Error(place, item, AdmissionCodes.InvalidValue, $"'{key}' is not a valid {(isLabel ? "label" : "annotation")} key ([prefix/]name, name at most 63 characters of [A-Za-z0-9_.-])");
            return null;
        }

        var value = String(place, item, "value");
        if (value is not null && isLabel && !MetadataNames.IsLabelValue(value))
        {
            Error(place, item, AdmissionCodes.InvalidValue, $"'{value}' is not a valid label value");
        }

        var expression = Expression(place, item, "valueExpression", required: false);
        if ((value is null) == (expression is null))
        {
            Error(place, item, AdmissionCodes.InvalidValue, "give exactly one of value and valueExpression");
            return null;
        }

        return key is null ? null : new MetadataEntry(key, value, expression, Flag(place, item, "overwrite"));
    }

    private FieldDefault? ParseDefault(DocumentPlace place, YamlMappingNode item)
    {
        CheckKeys(place, item, DefaultKeys, "setDefaults item");
        var pathText = RequiredString(place, item, "path", "setDefaults item");
        var path = pathText is null ? null : FieldPath.Parse(pathText, out var problem) switch
        {
            { } parsed => parsed,
            null => ErrorAndNull(place, item, problem!),
        };
        var hasValue = item.Children.TryGetValue(new YamlScalarNode("value"), out var valueNode);
        var expression = Expression(place, item, "valueExpression", required: false);
        if (hasValue == (expression is not null))
        {
            Error(place, item, AdmissionCodes.InvalidValue, "give exactly one of value and valueExpression");
            return null;
        }

        return path is null ? null : new FieldDefault(path, pathText!, hasValue ? ToJson(valueNode!) : null, expression);
    }

    private IReadOnlyList<string>? ErrorAndNull(DocumentPlace place, YamlNode node, string problem)
    {
        Error(place, node, AdmissionCodes.InvalidValue, problem);
        return null;
    }

    private ExpressionText? Expression(DocumentPlace place, YamlMappingNode map, string key, bool required)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            if (required)
            {
                Error(place, map, AdmissionCodes.MissingField, $"'{key}' is required");
            }

            return null;
        }

        if (node is not YamlScalarNode { Value: { Length: > 0 } text } scalar)
        {
            Error(place, node, AdmissionCodes.InvalidValue, $"'{key}' must be a non-empty CEL expression string");
            return null;
        }

        // Where the text begins: a block scalar starts on the next line; a quoted one after its quote.
        var start = place.Of(node);
        var isBlock = scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded;
        start = scalar.Style switch
        {
            ScalarStyle.Literal or ScalarStyle.Folded => start with { Line = start.Line + 1, Column = 0 },
            ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted => start with { Column = start.Column + 1 },
            _ => start,
        };
        return new ExpressionText(text, start, isBlock);
    }

    private List<T> Items<T>(DocumentPlace place, YamlMappingNode map, string key, Func<YamlMappingNode, T?> parse)
        where T : class => Items(place, map, key, (item, _) => parse(item));

    private List<T> Items<T>(DocumentPlace place, YamlMappingNode map, string key, Func<YamlMappingNode, int, T?> parse)
        where T : class
    {
        var result = new List<T>();
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return result;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(place, node, AdmissionCodes.InvalidValue, $"'{key}' must be a list");
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode item)
            {
                Error(place, sequence.Children[i], AdmissionCodes.InvalidValue, $"each item of '{key}' must be a mapping");
                continue;
            }

            if (parse(item, i) is { } parsed)
            {
                result.Add(parsed);
            }
        }

        return result;
    }

    private void CheckUnique(DocumentPlace place, YamlMappingNode spec, string key, IEnumerable<string> names, string what)
    {
        foreach (var duplicate in names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var node = spec.Children.TryGetValue(new YamlScalarNode(key), out var list) ? list : spec;
            Error(place, node, AdmissionCodes.DuplicateName, $"{what} '{duplicate.Key}' is used more than once");
        }
    }

    private void CheckKeys(DocumentPlace place, YamlMappingNode map, HashSet<string> allowed, string owner)
    {
        foreach (var key in map.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || !allowed.Contains(name))
            {
                Error(place, key, AdmissionCodes.UnknownField, $"unknown field '{key}' in {owner} (known: {string.Join(", ", allowed.Order(StringComparer.Ordinal))})");
            }
        }
    }

    private YamlMappingNode? Map(DocumentPlace place, YamlMappingNode map, string key, bool required)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            if (required)
            {
                Error(place, map, AdmissionCodes.MissingField, $"'{key}' is required");
            }

            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            Error(place, node, AdmissionCodes.InvalidValue, $"'{key}' must be a mapping");
            return null;
        }

        return mapping;
    }

    private string? String(DocumentPlace place, YamlMappingNode map, string key)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text })
        {
            return text;
        }

        Error(place, node, AdmissionCodes.InvalidValue, $"'{key}' must be a string");
        return null;
    }

    private string? RequiredString(DocumentPlace place, YamlMappingNode map, string key, string owner)
    {
        if (String(place, map, key) is { Length: > 0 } text)
        {
            return text;
        }

        if (!map.Children.ContainsKey(new YamlScalarNode(key)))
        {
            Error(place, map, AdmissionCodes.MissingField, $"{owner} needs '{key}'");
        }

        return null;
    }

    private string? Enum(DocumentPlace place, YamlMappingNode map, string key, string[] allowed)
    {
        var text = String(place, map, key);
        if (text is null || allowed.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        Error(place, map.Children[new YamlScalarNode(key)], AdmissionCodes.InvalidValue, $"'{key}' is '{text}'; expected one of {string.Join(", ", allowed)}");
        return null;
    }

    private bool Flag(DocumentPlace place, YamlMappingNode map, string key)
    {
        var text = String(place, map, key);
        if (text is null or "false")
        {
            return false;
        }

        if (text == "true")
        {
            return true;
        }

        Error(place, map.Children[new YamlScalarNode(key)], AdmissionCodes.InvalidValue, $"'{key}' must be true or false");
        return false;
    }

    /// <param name="allowEmpty">Whether "" is a value (the core API group is).</param>
    private List<string> Strings(DocumentPlace place, YamlMappingNode map, string key, bool allowEmpty = false) =>
        [.. StringsWithNodes(place, map, key, allowEmpty).Select(s => s.Text)];

    private List<(string Text, YamlNode Node)> StringsWithNodes(DocumentPlace place, YamlMappingNode map, string key, bool allowEmpty = false)
    {
        var result = new List<(string, YamlNode)>();
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return result;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(place, node, AdmissionCodes.InvalidValue, $"'{key}' must be a list of strings");
            return result;
        }

        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } text } && (allowEmpty || text.Length > 0))
            {
                result.Add((text, item));
            }
            else
            {
                Error(place, item, AdmissionCodes.InvalidValue, $"each item of '{key}' must be a non-empty string");
            }
        }

        return result;
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } text } ? text : null;

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private void Error(DocumentPlace place, YamlNode node, string code, string message) =>
        _diagnostics.Add(new AdmissionDiagnostic(place.File, place.Of(node).Line, place.Of(node).Column, code, message));
}
