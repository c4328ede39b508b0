using Auditrail.Detection.Rules;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Detection.Responses;

/// <summary>Response rules and guard rails as read from a YAML file.</summary>
public sealed record ResponseConfig(ResponseOptions Options, IReadOnlyList<ResponseRule> Rules, IReadOnlyList<RuleDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => !d.IsWarning);
}

/// <summary>
/// Reads a responses file:
/// <code>
/// dryRun: false              # omitted: true
/// allowedNamespaces: [team]
/// allowClusterScoped: false
/// repeatWindow: 10m
/// recordFile: responses.jsonl
/// rules:
/// - name: quarantine-exec
///   alertRule: "exec-*"
///   minimumSeverity: high
///   actions:
///   - action: label          # deletePod, label, annotate, scaleToZero, deleteBinding, cordonNode
///     labels: {auditrail.io/quarantine: "true"}
///   - action: cordonNode
///     target: nodes/worker-7 # omitted: the alert's target
/// </code>
/// Every problem is reported with file:line:column; a rule with a problem is left out, the others load.
/// </summary>
public static class ResponseConfigLoader
{
    private static readonly Dictionary<string, ResponseActionKind> ActionNames = new(StringComparer.Ordinal)
    {
        ["deletePod"] = ResponseActionKind.DeletePod,
        ["label"] = ResponseActionKind.Label,
        ["annotate"] = ResponseActionKind.Annotate,
        ["scaleToZero"] = ResponseActionKind.ScaleToZero,
        ["deleteBinding"] = ResponseActionKind.DeleteBinding,
        ["cordonNode"] = ResponseActionKind.CordonNode,
    };

    public static ResponseConfig Load(string path)
    {
        var diagnostics = new List<RuleDiagnostic>();
        var options = new ResponseOptions();
        var rules = new List<ResponseRule>();
        var stream = RulePackLoader.ReadYaml(path, diagnostics);
        if (stream is null || stream.Documents.Count == 0)
        {
            return new(options, rules, diagnostics);
        }

        var reader = new Reader(path, diagnostics);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            reader.Error(stream.Documents[0].RootNode, RuleCodes.UnknownDocument, "expected a mapping with rules and options");
            return new(options, rules, diagnostics);
        }

        foreach (var (keyNode, value) in root.Children)
        {
            var key = KeyOf(keyNode);
            switch (key)
            {
                case "dryRun" when reader.Bool(value) is { } dryRun:
                    options = options with { DryRun = dryRun };
                    break;
                case "allowClusterScoped" when reader.Bool(value) is { } allow:
                    options = options with { AllowClusterScoped = allow };
                    break;
                case "allowedNamespaces" when reader.Strings(value) is { } namespaces:
                    options = options with { AllowedNamespaces = new HashSet<string>(namespaces, StringComparer.Ordinal) };
                    break;
                case "repeatWindow" when reader.Scalar(value) is { } text:
                    if (RulePackLoader.TryParseDuration(text, out var window))
                    {
                        options = options with { RepeatWindow = window };
                    }
                    else
                    {
                        reader.Error(value, RuleCodes.InvalidValue, $"repeatWindow '{text}' is not a duration (a positive whole number and s, m, h or d)");
                    }

                    break;
                case "recordFile" when reader.Scalar(value) is { } file:
                    options = options with { RecordFile = file };
                    break;
                case "rules" when value is YamlSequenceNode items:
                    rules.AddRange(items.Children.Select(reader.Rule).OfType<ResponseRule>());
                    break;
                case "rules":
                    reader.Error(value, RuleCodes.InvalidValue, "rules must be a list");
                    break;
                case "dryRun" or "allowClusterScoped" or "allowedNamespaces" or "repeatWindow" or "recordFile":
                    break; // the reader reported the bad value
                default:
                    reader.Error(keyNode, RuleCodes.UnknownKey, $"unknown key '{key}'");
                    break;
            }
        }

        if (!root.Children.ContainsKey(new YamlScalarNode("dryRun")))
        {
            reader.Warning(root, "dryRun is not set: responses are recorded as dry runs and nothing is called");
        }

        return new(options, rules, diagnostics);
    }

    /// <summary>A mapping key as text; a non-scalar key (legal YAML) reads as empty and is then reported as unknown.</summary>
    private static string KeyOf(YamlNode key) => (key as YamlScalarNode)?.Value ?? "";

    private sealed class Reader(string file, List<RuleDiagnostic> diagnostics)
    {
        public void Error(YamlNode node, string code, string message) =>
            diagnostics.Add(new RuleDiagnostic(file, (int)node.Start.Line, (int)node.Start.Column, code, message));

        public void Warning(YamlNode node, string message) =>
            diagnostics.Add(new RuleDiagnostic(file, (int)node.Start.Line, (int)node.Start.Column, RuleCodes.InvalidValue, message, IsWarning: true));

        public string? Scalar(YamlNode node)
        {
            if (node is YamlScalarNode { Value: { Length: > 0 } text })
            {
                return text;
            }

            Error(node, RuleCodes.InvalidValue, "expected a non-empty text value");
            return null;
        }

        public bool? Bool(YamlNode node)
        {
            switch (Scalar(node))
            {
                case "true":
                    return true;
                case "false":
                    return false;
                case null:
                    return null;
                case var other:
                    Error(node, RuleCodes.InvalidValue, $"expected true or false, not '{other}'");
                    return null;
            }
        }

        public List<string>? Strings(YamlNode node)
        {
            if (node is not YamlSequenceNode items)
            {
                Error(node, RuleCodes.InvalidValue, "expected a list");
                return null;
            }

            var values = items.Children.Select(Scalar).ToList();
            return values.Contains(null) ? null : [.. values.OfType<string>()];
        }

        public ResponseRule? Rule(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, RuleCodes.InvalidValue, "a response rule must be a mapping");
                return null;
            }

            var problems = diagnostics.Count;
            string? name = null;
            var alertRule = "*";
            var severity = Severity.High;
            var actions = new List<ResponseAction>();
            foreach (var (keyNode, value) in map.Children)
            {
                switch (KeyOf(keyNode))
                {
                    case "name":
                        name = Scalar(value);
                        break;
                    case "alertRule":
                        alertRule = Scalar(value) ?? alertRule;
                        break;
                    case "minimumSeverity" when Scalar(value) is { } text:
                        if (!SeverityNames.TryParse(text, out severity))
                        {
                            Error(value, RuleCodes.InvalidValue, $"unknown severity '{text}' (info, low, medium, high, critical)");
                        }

                        break;
                    case "actions" when value is YamlSequenceNode items && items.Children.Count > 0:
                        actions.AddRange(items.Children.Select(Action).OfType<ResponseAction>());
                        break;
                    case "actions":
                        Error(value, RuleCodes.InvalidValue, "actions must be a non-empty list");
                        break;
                    case "minimumSeverity":
                        break; // reported by Scalar
                    case var other:
                        Error(keyNode, RuleCodes.UnknownKey, $"unknown key '{other}' in a response rule");
                        break;
                }
            }

            if (name is null)
            {
                Error(map, RuleCodes.MissingField, "a response rule needs a name");
            }

            if (!map.Children.ContainsKey(new YamlScalarNode("actions")))
            {
                Error(map, RuleCodes.MissingField, "a response rule needs actions");
            }

            return diagnostics.Count > problems ? null : new ResponseRule { Name = name!, AlertRule = alertRule, MinimumSeverity = severity, Actions = actions };
        }

        private ResponseAction? Action(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, RuleCodes.InvalidValue, "an action must be a mapping");
                return null;
            }

            var problems = diagnostics.Count;
            ResponseActionKind? kind = null;
            string? target = null;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            string? valuesKey = null;
            foreach (var (keyNode, value) in map.Children)
            {
                var key = KeyOf(keyNode);
                switch (key)
                {
                    case "action" when Scalar(value) is { } text:
                        if (ActionNames.TryGetValue(text, out var known))
                        {
                            kind = known;
                        }
                        else
                        {
                            Error(value, RuleCodes.InvalidValue, $"unknown action '{text}' ({string.Join(", ", ActionNames.Keys)})");
                        }

                        break;
                    case "target":
                        target = Scalar(value);
                        if (target is not null && ResponseTarget.TryParse(target, out var problem) is null)
                        {
                            Error(value, RuleCodes.InvalidValue, problem!);
                        }

                        break;
                    case "labels" or "annotations" when value is YamlMappingNode pairs:
                        valuesKey = key;
                        foreach (var (pairKey, pairValue) in pairs.Children)
                        {
                            if (Scalar(pairKey) is { } k && pairValue is YamlScalarNode { Value: { } v })
                            {
                                values[k] = v;
                            }
                            else
                            {
                                Error(pairValue, RuleCodes.InvalidValue, $"{key} values must be text");
                            }
                        }

                        break;
                    case "labels" or "annotations":
                        Error(value, RuleCodes.InvalidValue, $"{key} must be a mapping");
                        break;
                    case "action":
                        break; // reported by Scalar
                    default:
                        Error(keyNode, RuleCodes.UnknownKey, $"unknown key '{key}' in an action");
                        break;
                }
            }

            var wanted = kind switch
            {
                ResponseActionKind.Label => "labels",
                ResponseActionKind.Annotate => "annotations",
                _ => null,
            };
            if (kind is null && diagnostics.Count == problems)
            {
                Error(map, RuleCodes.MissingField, "an action needs 'action'");
            }
            else if (wanted != valuesKey && kind is not null)
            {
                Error(map, RuleCodes.InvalidValue, wanted is null ? $"{valuesKey} does not apply to this action" : $"this action needs '{wanted}'");
            }
            else if (kind is { } valued && wanted is not null)
            {
                foreach (var problem in values.Select(v => MetadataKeys.Problem(valued, v.Key, v.Value)).OfType<string>())
                {
                    Error(map.Children[new YamlScalarNode(wanted)], RuleCodes.InvalidValue, problem);
                }
            }

            return diagnostics.Count > problems ? null : new ResponseAction { Kind = kind!.Value, Target = target, Values = values };
        }
    }
}
