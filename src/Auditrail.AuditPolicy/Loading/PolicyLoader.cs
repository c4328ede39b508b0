using Auditrail.AuditPolicy.Model;
using Auditrail.Detection.Rules;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.AuditPolicy.Loading;

/// <summary>The policy as read (null when the file is not a policy at all) and every problem found on the way.</summary>
public sealed record PolicyLoadResult(Policy? Policy, IReadOnlyList<PolicyFinding> Findings)
{
    public bool HasErrors => Findings.Any(f => f.IsError);
}

/// <summary>
/// Reads an audit.k8s.io Policy from YAML (or JSON, which is YAML) the way kube-apiserver decodes it:
/// apiVersion v1 (v1beta1 and v1alpha1 accepted with a warning), kind Policy, fields by their JSON
/// names. A value of the wrong shape is an error, as the apiserver's decoder fails on it; an unknown
/// field is a warning, because the apiserver drops it silently and a misspelt selector (<c>namespace:</c>)
/// then selects everything. Validation (<see cref="PolicyValidator"/>) runs on the result.
/// </summary>
public static class PolicyLoader
{
    public const string Group = "audit.k8s.io";
    public const string Kind = "Policy";

    private static readonly string[] Versions = ["v1", "v1beta1", "v1alpha1"];
    private static readonly string[] PolicyKeys = ["apiVersion", "kind", "metadata", "rules", "omitStages", "omitManagedFields"];
    private static readonly string[] RuleKeys = ["level", "users", "userGroups", "verbs", "resources", "namespaces", "nonResourceURLs", "omitStages", "omitManagedFields"];
    private static readonly string[] GroupResourceKeys = ["group", "resources", "resourceNames"];

    /// <summary>Loads and validates a policy file.</summary>
    public static PolicyLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            return new PolicyLoadResult(null, [new PolicyFinding(PolicyCodes.NotAPolicy, FindingSeverity.Error, new SourceLocation(path, 0, 0), null, $"cannot read: {reason}")]);
        }

        return LoadText(text, path);
    }

    /// <summary>Loads and validates a policy held in memory; <paramref name="file"/> names it in findings.</summary>
    public static PolicyLoadResult LoadText(string text, string file)
    {
        var reader = new Reader(file);
        var policy = reader.Read(text);
        if (policy is not null)
        {
            reader.Findings.AddRange(PolicyValidator.Validate(policy));
        }

        return new PolicyLoadResult(policy, reader.Findings);
    }

    /// <summary>One file's read: the findings and where each field was written.</summary>
    private sealed class Reader(string file)
    {
        public List<PolicyFinding> Findings { get; } = [];

        public Policy? Read(string text)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException ex)
            {
                Findings.Add(new PolicyFinding(PolicyCodes.YamlSyntax, FindingSeverity.Error, new SourceLocation(file, (int)ex.Start.Line, (int)ex.Start.Column), null,
                    ex.InnerException?.Message ?? ex.Message));
                return null;
            }

            var documents = stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).ToList();
            if (documents.Count == 0)
            {
                Add(PolicyCodes.NotAPolicy, FindingSeverity.Error, new SourceLocation(file, 1, 1), null, "the file holds no policy");
                return null;
            }

            if (documents.Count > 1)
            {
                Add(PolicyCodes.NotAPolicy, FindingSeverity.Warning, Locate(documents[1].RootNode), null,
                    "the file holds more than one YAML document; kube-apiserver reads only the first");
            }

            if (documents[0].RootNode is not YamlMappingNode root)
            {
                Add(PolicyCodes.NotAPolicy, FindingSeverity.Error, Locate(documents[0].RootNode), null, $"expected a {Kind} document (a mapping with apiVersion and kind)");
                return null;
            }

            return ReadPolicy(root);
        }

        private Policy? ReadPolicy(YamlMappingNode root)
        {
            var apiVersion = Scalar(root, "apiVersion");
            var kind = Scalar(root, "kind");
            var version = apiVersion is not null && apiVersion.StartsWith(Group + "/", StringComparison.Ordinal) ? apiVersion[(Group.Length + 1)..] : null;
            if (kind != Kind || version is null || !Versions.Contains(version))
            {
                Add(PolicyCodes.NotAPolicy, FindingSeverity.Error, Locate(root), null,
                    $"expected apiVersion {Group}/v1 and kind {Kind}, found {apiVersion ?? "no apiVersion"} and {kind ?? "no kind"}");
                return null;
            }

            if (version != "v1")
            {
                Add(PolicyCodes.DeprecatedVersion, FindingSeverity.Warning, Locate(root.Children[new YamlScalarNode("apiVersion")]), null,
                    $"{apiVersion} is deprecated; write {Group}/v1 (the fields are the same)");
            }

            CheckKeys(root, PolicyKeys, "Policy", null);
            var places = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            var rules = new List<PolicyRule>();
            if (Child(root, "rules") is { } rulesNode && Sequence(rulesNode, "rules", null) is { } items)
            {
                foreach (var item in items)
                {
                    if (item is YamlMappingNode ruleNode)
                    {
                        rules.Add(ReadRule(ruleNode, rules.Count));
                    }
                    else
                    {
                        Add(PolicyCodes.WrongType, FindingSeverity.Error, Locate(item), rules.Count, "a rule must be a mapping (level, verbs, resources …)");
                        rules.Add(new PolicyRule { Index = rules.Count, Location = Locate(item) });
                    }
                }
            }

            return new Policy
            {
                File = file,
                ApiVersion = apiVersion!,
                Rules = rules,
                OmitStages = Strings(root, "omitStages", places, null),
                OmitManagedFields = Flag(root, "omitManagedFields", null) ?? false,
                Location = Locate(root),
                Places = places,
            };
        }

        private PolicyRule ReadRule(YamlMappingNode node, int index)
        {
            CheckKeys(node, RuleKeys, "rule", index);
            var places = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            string? level = null;
            if (Child(node, "level") is { } levelNode)
            {
                places["level"] = Locate(levelNode);
                level = ScalarValue(levelNode, "level", index);
            }

            return new PolicyRule
            {
                Index = index,
                Level = level,
                Users = Strings(node, "users", places, index),
                UserGroups = Strings(node, "userGroups", places, index),
                Verbs = Strings(node, "verbs", places, index),
                Resources = ReadResources(node, places, index),
                Namespaces = Strings(node, "namespaces", places, index),
                NonResourceUrls = Strings(node, "nonResourceURLs", places, index),
                OmitStages = Strings(node, "omitStages", places, index),
                OmitManagedFields = Flag(node, "omitManagedFields", index),
                Location = Locate(node),
                Places = places,
            };
        }

        private List<GroupResources> ReadResources(YamlMappingNode rule, Dictionary<string, SourceLocation> places, int index)
        {
            var result = new List<GroupResources>();
            if (Child(rule, "resources") is not { } node || Sequence(node, "resources", index) is not { } items)
            {
                return result;
            }

            places["resources"] = Locate(node);
            foreach (var item in items)
            {
                var path = $"resources[{result.Count}]";
                places[path] = Locate(item);
                if (item is not YamlMappingNode entry)
                {
                    Add(PolicyCodes.WrongType, FindingSeverity.Error, Locate(item), index, $"{path} must be a mapping (group, resources, resourceNames)");
                    continue;
                }

                CheckKeys(entry, GroupResourceKeys, path, index);
                var group = string.Empty;
                if (Child(entry, "group") is { } groupNode)
                {
                    places[$"{path}.group"] = Locate(groupNode);
                    group = ScalarValue(groupNode, $"{path}.group", index) ?? string.Empty;
                }

                var inner = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
                var resources = Strings(entry, "resources", inner, index);
                var names = Strings(entry, "resourceNames", inner, index);
                foreach (var (key, place) in inner)
                {
                    places[$"{path}.{key}"] = place;
                }

                result.Add(new GroupResources(group, resources, names));
            }

            return result;
        }

        /// <summary>A list of strings; absent or null is empty (as Go decodes it); a lone scalar is an error, not a one-item list.</summary>
        private List<string> Strings(YamlMappingNode node, string key, Dictionary<string, SourceLocation> places, int? rule)
        {
            var values = new List<string>();
            if (Child(node, key) is not { } child || Sequence(child, key, rule) is not { } items)
            {
                return values;
            }

            places[key] = Locate(child);
            foreach (var item in items)
            {
                places[$"{key}[{values.Count}]"] = Locate(item);
                values.Add(ScalarValue(item, $"{key}[{values.Count}]", rule) ?? string.Empty);
            }

            return values;
        }

        private List<YamlNode>? Sequence(YamlNode node, string path, int? rule)
        {
            switch (node)
            {
                case YamlSequenceNode sequence:
                    return [.. sequence.Children];
                case YamlScalarNode scalar when IsNull(scalar):
                    return null;
                default:
                    Add(PolicyCodes.WrongType, FindingSeverity.Error, Locate(node), rule, $"{path} must be a list (kube-apiserver refuses the file)");
                    return null;
            }
        }

        private string? ScalarValue(YamlNode node, string path, int? rule)
        {
            if (node is YamlScalarNode scalar && !IsNull(scalar))
            {
                return scalar.Value;
            }

            if (node is not YamlScalarNode)
            {
                Add(PolicyCodes.WrongType, FindingSeverity.Error, Locate(node), rule, $"{path} must be a string (kube-apiserver refuses the file)");
            }

            return null;
        }

        private bool? Flag(YamlMappingNode node, string key, int? rule)
        {
            if (Child(node, key) is not { } child || child is YamlScalarNode scalar && IsNull(scalar))
            {
                return null;
            }

            switch ((child as YamlScalarNode)?.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
                default:
                    Add(PolicyCodes.WrongType, FindingSeverity.Error, Locate(child), rule, $"{key} must be true or false (kube-apiserver refuses the file)");
                    return null;
            }
        }

        private void CheckKeys(YamlMappingNode node, string[] known, string what, int? rule)
        {
            foreach (var keyNode in node.Children.Keys)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                if (known.Contains(key))
                {
                    continue;
                }

                var suggestion = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(k, key + "s", StringComparison.OrdinalIgnoreCase) || string.Equals(k + "s", key, StringComparison.OrdinalIgnoreCase));
                var hint = suggestion is null ? $"known fields: {string.Join(", ", known)}" : $"did you mean {suggestion}?";
                Add(PolicyCodes.UnknownField, FindingSeverity.Warning, Locate(keyNode), rule,
                    $"unknown field '{key}' in {what} is ignored by kube-apiserver ({hint})",
                    "The apiserver drops fields it does not know without a word, so a misspelt selector selects nothing and the rule matches more than intended.");
            }
        }

        private void Add(string code, FindingSeverity severity, SourceLocation location, int? rule, string message, string explanation = "") =>
            Findings.Add(new PolicyFinding(code, severity, location, rule, message, explanation));

        private SourceLocation Locate(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

        private static YamlNode? Child(YamlMappingNode node, string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

        private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

        /// <summary>An empty value or <c>~</c>/<c>null</c>, which Go decodes as absent.</summary>
        private static bool IsNull(YamlScalarNode scalar) =>
            scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
    }
}
