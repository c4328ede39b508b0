using Auditrail.Rbac.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Rbac.Loading;

/// <summary>
/// Turns YAML documents into RBAC objects the way the apiserver would accept them: fields by their
/// JSON names, <c>null</c> as absent, a value of the wrong shape or an object that fails RBAC
/// validation reported as an error and the object left out (the apiserver would refuse it), other
/// kinds skipped with a note. Lists (<c>kind: List</c> and typed lists such as <c>RoleList</c>,
/// whose items may omit their kind) are read item by item.
/// </summary>
internal sealed class ManifestDecoder(string file, RbacObjectSet objects, List<RbacDiagnostic> diagnostics)
{
    private const string RbacGroup = RoleRef.RbacGroup;
    private static readonly string[] RbacVersions = ["v1", "v1beta1", "v1alpha1"];
    private static readonly string[] RuleKeys = ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"];
    private static readonly string[] SubjectKeys = ["kind", "apiGroup", "name", "namespace"];
    private static readonly string[] RoleRefKeys = ["kind", "apiGroup", "name"];
    private static readonly string[] SelectorKeys = ["matchLabels", "matchExpressions"];
    private static readonly string[] RequirementKeys = ["key", "operator", "values"];

    // Set by any error inside the object being decoded: the object is then left out whole.
    private bool _objectFailed;

    // Errors so far, so a part whose shape was already wrong is not validated (and reported) twice.
    private int _failures;

    public void Decode(YamlNode document)
    {
        if (document is YamlScalarNode scalar && IsNull(scalar))
        {
            return;
        }

        if (document is not YamlMappingNode mapping)
        {
            Report(RbacCodes.NotAnObject, RbacDiagnosticSeverity.Error, document, "expected a Kubernetes object (a mapping with apiVersion and kind)");
            return;
        }

        DecodeObject(mapping, impliedKind: null);
    }

    private void DecodeObject(YamlMappingNode node, string? impliedKind)
    {
        var apiVersion = Text(node, "apiVersion");
        var kind = Text(node, "kind") ?? impliedKind;
        if (kind is null)
        {
            Report(RbacCodes.NotAnObject, RbacDiagnosticSeverity.Error, node, "object has no kind; skipped");
            return;
        }

        if (kind.EndsWith("List", StringComparison.Ordinal) && Child(node, "items") is { } items)
        {
            DecodeList(kind, items);
            return;
        }

        var isRbac = kind is "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding";
        var isServiceAccount = kind == "ServiceAccount";
        if (!(isRbac && IsRbacVersion(apiVersion, node) || isServiceAccount && apiVersion is null or "v1"))
        {
            var what = apiVersion is null ? kind : $"{apiVersion} {kind}";
            Report(RbacCodes.UnknownKind, RbacDiagnosticSeverity.Info, node, $"{what} is not an RBAC object; skipped");
            return;
        }

        _objectFailed = false;
        var metadata = Mapping(node, "metadata");
        var name = metadata is null ? null : Text(metadata, "name");
        if (string.IsNullOrEmpty(name))
        {
            Report(RbacCodes.MissingField, RbacDiagnosticSeverity.Error, metadata ?? (YamlNode)node, $"{kind} has no metadata.name; skipped");
            return;
        }

        var isNamespaced = kind is "Role" or "RoleBinding" or "ServiceAccount";
        var @namespace = string.Empty;
        if (isNamespaced)
        {
            @namespace = Text(metadata!, "namespace") ?? string.Empty;
            if (@namespace.Length == 0)
            {
                // kubectl apply puts such an object in the context's namespace, "default" unless configured.
                @namespace = "default";
                Report(RbacCodes.MissingField, RbacDiagnosticSeverity.Warning, metadata!, $"{kind} {name} has no metadata.namespace; assumed \"default\", as kubectl apply would with a default context");
            }
        }

        var location = Locate(node);
        switch (kind)
        {
            case "Role" or "ClusterRole":
                var role = ReadRole(node, metadata!, kind == "ClusterRole", name, @namespace, location);
                if (!_objectFailed)
                {
                    objects.Add(role, diagnostics);
                }

                break;
            case "RoleBinding" or "ClusterRoleBinding":
                var binding = ReadBinding(node, kind == "ClusterRoleBinding", name, @namespace, location);
                if (!_objectFailed && binding is not null)
                {
                    objects.Add(binding, diagnostics);
                }

                break;
            default:
                objects.Add(new RbacServiceAccount(@namespace, name, location), diagnostics);
                break;
        }

        if (_objectFailed)
        {
            Report(RbacCodes.InvalidValue, RbacDiagnosticSeverity.Error, node, $"{kind} {(isNamespaced ? $"{@namespace}/" : "")}{name} is not loaded because of the errors above");
        }
    }

    private void DecodeList(string kind, YamlNode items)
    {
        if (Sequence(items, "items") is not { } entries)
        {
            return;
        }

        // A typed list from the API (RoleList) leaves its items' kind out; "List" items always carry theirs.
        var itemKind = kind == "List" ? null : kind[..^"List".Length];
        foreach (var entry in entries)
        {
            if (entry is YamlMappingNode item)
            {
                DecodeObject(item, itemKind);
            }
            else
            {
                Report(RbacCodes.WrongType, RbacDiagnosticSeverity.Error, entry, "items[] must be objects; entry skipped");
            }
        }
    }

    private bool IsRbacVersion(string? apiVersion, YamlNode node)
    {
        if (apiVersion is null)
        {
            return true;
        }

        if (!apiVersion.StartsWith(RbacGroup + "/", StringComparison.Ordinal) || !RbacVersions.Contains(apiVersion[(RbacGroup.Length + 1)..]))
        {
            return false;
        }

        if (!apiVersion.EndsWith("/v1", StringComparison.Ordinal))
        {
            Report(RbacCodes.DeprecatedVersion, RbacDiagnosticSeverity.Warning, node, $"{apiVersion} was removed in Kubernetes 1.22; read as {RbacGroup}/v1 (same fields)");
        }

        return true;
    }

    private RbacRole ReadRole(YamlMappingNode node, YamlMappingNode metadata, bool isClusterRole, string name, string @namespace, ManifestLocation location)
    {
        var rules = new List<PolicyRule>();
        if (Child(node, "rules") is { } rulesNode && Sequence(rulesNode, "rules") is { } entries)
        {
            foreach (var entry in entries)
            {
                if (ReadRule(entry, $"rules[{rules.Count}]", isNamespaced: !isClusterRole) is { } rule)
                {
                    rules.Add(rule);
                }
            }
        }

        IReadOnlyList<LabelSelector>? aggregation = null;
        if (Mapping(node, "aggregationRule") is { } aggregationNode)
        {
            if (!isClusterRole)
            {
                Report(RbacCodes.UnknownField, RbacDiagnosticSeverity.Warning, aggregationNode, "a Role cannot be aggregated; aggregationRule is ignored");
            }
            else
            {
                aggregation = ReadSelectors(aggregationNode);
            }
        }

        return new RbacRole
        {
            IsClusterRole = isClusterRole,
            Name = name,
            Namespace = @namespace,
            Rules = rules,
            Labels = StringMap(metadata, "labels", "metadata.labels"),
            AggregationRule = aggregation,
            Source = location,
        };
    }

    private PolicyRule? ReadRule(YamlNode node, string path, bool isNamespaced)
    {
        if (ObjectAt(node, path, RuleKeys) is not { } mapping)
        {
            return null;
        }

        var failuresBefore = _failures;
        var rule = new PolicyRule
        {
            Verbs = Strings(mapping, "verbs", path),
            ApiGroups = Strings(mapping, "apiGroups", path),
            Resources = Strings(mapping, "resources", path),
            ResourceNames = Strings(mapping, "resourceNames", path),
            NonResourceUrls = Strings(mapping, "nonResourceURLs", path),
            Source = Locate(node),
        };

        if (_failures > failuresBefore)
        {
            return rule;
        }

        // The apiserver's ValidatePolicyRule: these objects never exist in a cluster.
        if (rule.Verbs.Count == 0)
        {
            Fail(node, $"{path}.verbs must contain at least one value", RbacCodes.MissingField);
        }

        if (rule.NonResourceUrls.Count > 0)
        {
            if (isNamespaced)
            {
                Fail(node, $"{path}: a namespaced Role cannot grant non-resource URLs", RbacCodes.InvalidValue);
            }

            if (rule.ApiGroups.Count > 0 || rule.Resources.Count > 0 || rule.ResourceNames.Count > 0)
            {
                Fail(node, $"{path} cannot apply to both resources and non-resource URLs", RbacCodes.InvalidValue);
            }
        }
        else
        {
            if (rule.ApiGroups.Count == 0)
            {
                Fail(node, $"{path}.apiGroups is required for a resource rule (\"\" is the core group)", RbacCodes.InvalidValue);
            }

            if (rule.Resources.Count == 0)
            {
                Fail(node, $"{path}.resources is required for a resource rule", RbacCodes.InvalidValue);
            }
        }

        return rule;
    }

    private List<LabelSelector> ReadSelectors(YamlMappingNode aggregation)
    {
        var selectors = new List<LabelSelector>();
        if (Child(aggregation, "clusterRoleSelectors") is not { } node || Sequence(node, "aggregationRule.clusterRoleSelectors") is not { } entries)
        {
            return selectors;
        }

        foreach (var entry in entries)
        {
            var path = $"aggregationRule.clusterRoleSelectors[{selectors.Count}]";
            if (ObjectAt(entry, path, SelectorKeys) is not { } mapping)
            {
                continue;
            }

            var expressions = new List<LabelSelectorRequirement>();
            if (Child(mapping, "matchExpressions") is { } expressionsNode && Sequence(expressionsNode, $"{path}.matchExpressions") is { } items)
            {
                foreach (var item in items)
                {
                    var itemPath = $"{path}.matchExpressions[{expressions.Count}]";
                    if (ObjectAt(item, itemPath, RequirementKeys) is not { } requirement)
                    {
                        continue;
                    }

                    expressions.Add(new LabelSelectorRequirement(
                        Text(requirement, "key", itemPath) ?? string.Empty,
                        Text(requirement, "operator", itemPath) ?? string.Empty,
                        Strings(requirement, "values", itemPath)));
                }
            }

            selectors.Add(new LabelSelector { MatchLabels = StringMap(mapping, "matchLabels", $"{path}.matchLabels"), MatchExpressions = expressions });
        }

        return selectors;
    }

    private RbacBinding? ReadBinding(YamlMappingNode node, bool isClusterBinding, string name, string @namespace, ManifestLocation location)
    {
        if (Mapping(node, "roleRef") is not { } roleRefNode)
        {
            Fail(node, "roleRef is required (kind, name)", RbacCodes.MissingField);
            return null;
        }

        WarnUnknownKeys(roleRefNode, RoleRefKeys, "roleRef");
        var roleKind = Text(roleRefNode, "kind", "roleRef") ?? string.Empty;
        var roleName = Text(roleRefNode, "name", "roleRef") ?? string.Empty;
        var roleGroup = Text(roleRefNode, "apiGroup", "roleRef") ?? string.Empty;
        if (roleKind is not (RoleRef.RoleKind or RoleRef.ClusterRoleKind))
        {
            Fail(roleRefNode, $"roleRef.kind must be Role or ClusterRole, not \"{roleKind}\"", RbacCodes.InvalidValue);
        }
        else if (isClusterBinding && roleKind == RoleRef.RoleKind)
        {
            Fail(roleRefNode, "a ClusterRoleBinding can only reference a ClusterRole", RbacCodes.InvalidValue);
        }

        if (roleName.Length == 0)
        {
            Fail(roleRefNode, "roleRef.name is required", RbacCodes.MissingField);
        }

        if (roleGroup != RbacGroup)
        {
            Fail(roleRefNode, $"roleRef.apiGroup must be {RbacGroup}, not \"{roleGroup}\"", RbacCodes.InvalidValue);
        }

        var subjects = new List<RbacSubject>();
        if (Child(node, "subjects") is { } subjectsNode && Sequence(subjectsNode, "subjects") is { } entries)
        {
            var index = 0;
            foreach (var entry in entries)
            {
                if (ReadSubject(entry, $"subjects[{index++}]", isClusterBinding) is { } subject)
                {
                    subjects.Add(subject);
                }
            }
        }

        return new RbacBinding
        {
            IsClusterBinding = isClusterBinding,
            Name = name,
            Namespace = @namespace,
            RoleRef = new RoleRef(roleKind, roleName, roleGroup),
            Subjects = subjects,
            Source = location,
        };
    }

    private RbacSubject? ReadSubject(YamlNode node, string path, bool isClusterBinding)
    {
        if (ObjectAt(node, path, SubjectKeys) is not { } mapping)
        {
            return null;
        }

        var kindText = Text(mapping, "kind", path) ?? string.Empty;
        var name = Text(mapping, "name", path) ?? string.Empty;
        var @namespace = Text(mapping, "namespace", path) ?? string.Empty;
        if (name.Length == 0)
        {
            Fail(mapping, $"{path}.name is required", RbacCodes.MissingField);
        }

        if (!Enum.TryParse<SubjectKind>(kindText, ignoreCase: false, out var kind) || !Enum.IsDefined(kind) || kindText != kind.ToString())
        {
            Fail(mapping, $"{path}.kind must be User, Group or ServiceAccount, not \"{kindText}\"", RbacCodes.InvalidValue);
            return null;
        }

        if (kind == SubjectKind.ServiceAccount && isClusterBinding && @namespace.Length == 0)
        {
            Report(RbacCodes.SubjectMatchesNobody, RbacDiagnosticSeverity.Warning, mapping,
                $"{path} is a ServiceAccount without a namespace in a ClusterRoleBinding: it matches no one (the apiserver requires the namespace)");
        }

        return new RbacSubject(kind, name, @namespace);
    }

    private void WarnUnknownKeys(YamlMappingNode node, string[] known, string path)
    {
        foreach (var key in node.Children.Keys)
        {
            var text = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!known.Contains(text))
            {
                var hint = known.FirstOrDefault(k => EditDistance(k.ToLowerInvariant(), text.ToLowerInvariant()) <= 2);
                Report(RbacCodes.UnknownField, RbacDiagnosticSeverity.Warning, key,
                    $"unknown field {path}.{text} is ignored by the apiserver{(hint is null ? $" (known: {string.Join(", ", known)})" : $"; did you mean {hint}?")}");
            }
        }
    }

    /// <summary>Levenshtein distance: a misspelt field (namspace, resourceName) is a couple of edits from the real one.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private IReadOnlyDictionary<string, string> StringMap(YamlMappingNode node, string key, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Child(node, key))
        {
            case null:
                break;
            case YamlScalarNode scalar when IsNull(scalar):
                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    if (k is YamlScalarNode { Value: { } name } && v is YamlScalarNode value)
                    {
                        result[name] = IsNull(value) ? string.Empty : value.Value ?? string.Empty;
                    }
                    else
                    {
                        Fail(v, $"{path} values must be strings");
                    }
                }

                break;
            case var other:
                Fail(other, $"{path} must be a map of strings");
                break;
        }

        return result;
    }

    /// <summary>A list of strings; absent or null is empty, as Go decodes it; a lone string is a type error, not a one-item list.</summary>
    private List<string> Strings(YamlMappingNode node, string key, string path)
    {
        var values = new List<string>();
        if (Child(node, key) is not { } child || Sequence(child, $"{path}.{key}") is not { } items)
        {
            return values;
        }

        foreach (var item in items)
        {
            if (item is YamlScalarNode scalar)
            {
                values.Add(scalar.Value ?? string.Empty);
            }
            else
            {
                Fail(item, $"{path}.{key}[{values.Count}] must be a string");
            }
        }

        return values;
    }

    /// <summary>The items of a list; null (after an error unless the value is null) for anything else.</summary>
    private IReadOnlyList<YamlNode>? Sequence(YamlNode node, string path)
    {
        if (node is YamlSequenceNode sequence)
        {
            return [.. sequence.Children];
        }

        if (node is not YamlScalarNode scalar || !IsNull(scalar))
        {
            Fail(node, $"{path} must be a list");
        }

        return null;
    }

    /// <summary>An object among a list's items, its unknown fields warned about; null after an error when the item is not an object.</summary>
    private YamlMappingNode? ObjectAt(YamlNode node, string path, string[] knownKeys)
    {
        if (node is not YamlMappingNode mapping)
        {
            Fail(node, $"{path} must be an object ({string.Join(", ", knownKeys)})");
            return null;
        }

        WarnUnknownKeys(mapping, knownKeys, path);
        return mapping;
    }

    private YamlMappingNode? Mapping(YamlMappingNode node, string key)
    {
        switch (Child(node, key))
        {
            case YamlMappingNode mapping:
                return mapping;
            case null:
            case YamlScalarNode scalar when IsNull(scalar):
                return null;
            case var other:
                Fail(other, $"{key} must be an object");
                return null;
        }
    }

    /// <summary>A string field; null when absent or null. <paramref name="path"/> names it in a type error.</summary>
    private string? Text(YamlMappingNode node, string key, string? path = null)
    {
        switch (Child(node, key))
        {
            case YamlScalarNode scalar:
                return IsNull(scalar) ? null : scalar.Value;
            case null:
                return null;
            case var other:
                Fail(other, $"{(path is null ? key : $"{path}.{key}")} must be a string");
                return null;
        }
    }

    /// <summary>An error that keeps the whole object out: a wrong type by default, or the given code for a value the apiserver's validation refuses.</summary>
    private void Fail(YamlNode node, string message, string code = RbacCodes.WrongType)
    {
        _objectFailed = true;
        _failures++;
        Report(code, RbacDiagnosticSeverity.Error, node, message);
    }

    private void Report(string code, RbacDiagnosticSeverity severity, YamlNode node, string message) =>
        diagnostics.Add(new RbacDiagnostic(code, severity, Locate(node), message));

    private ManifestLocation Locate(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    /// <summary>Plain <c>null</c>, <c>~</c> or nothing: absent to Go's decoder. A quoted "null" is the string.</summary>
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
}
