using Auditrail.Core.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Detection.Rules;

/// <summary>The lists, macros and rules of one or more rule files, after appends and overrides.</summary>
public sealed record RulePack(IReadOnlyList<RuleList> Lists, IReadOnlyList<RuleMacro> Macros, IReadOnlyList<RuleDefinition> Rules);

/// <summary>
/// Loads <c>auditrail.io/v1alpha1 RulePack</c> documents. Files load in order; a later file may
/// replace a list, macro or rule by defining it again, extend it with <c>append: true</c> (lists gain
/// items, macros gain alternatives, rules gain a further condition and exceptions), or change single
/// parts with <c>override: {part: replace|append}</c>, as Falco allows. Every problem is reported
/// with file:line:column and a code; the rest of the file still loads.
/// </summary>
/// <example>
/// <code>
/// apiVersion: auditrail.io/v1alpha1
/// kind: RulePack
/// metadata: {name: my-rules}
/// lists:
///   - name: admin_groups
///     items: [system:masters]
/// macros:
///   - name: pod_write
///     condition: objectRef.resource == 'pods' &amp;&amp; !readOnly
/// rules:
///   - name: exec-into-pod
///     severity: high
///     condition: objectRef.subresource == 'exec'
///     stages: [ResponseStarted]
///     output: "%{identity.name} ran exec in %{objectRef.namespace}/%{objectRef.name}"
/// </code>
/// </example>
public sealed class RulePackLoader
{
    public const string ApiVersion = "auditrail.io/v1alpha1";
    public const string Kind = "RulePack";

    private static readonly HashSet<string> ListKeys = ["name", "items", "append"];
    private static readonly HashSet<string> MacroKeys = ["name", "condition", "append"];
    private static readonly HashSet<string> RuleKeys =
        ["name", "description", "severity", "tags", "stages", "condition", "exceptions", "output", "enabled", "append", "override", "threshold"];

    private static readonly HashSet<string> OverridableParts = ["condition", "exceptions", "output", "severity", "tags", "stages", "description", "enabled"];

    private readonly List<RuleDiagnostic> _diagnostics = [];
    private readonly List<RuleList> _lists = [];
    private readonly List<RuleMacro> _macros = [];
    private readonly List<RuleDefinition> _rules = [];

    public IReadOnlyList<RuleDiagnostic> Diagnostics => _diagnostics;

    public bool HasErrors => _diagnostics.Any(d => !d.IsWarning);

    public RulePack Build() => new([.. _lists], [.. _macros], [.. _rules]);

    public void LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _diagnostics.Add(new RuleDiagnostic(path, 0, 0, RuleCodes.YamlSyntax, $"cannot read: {ex.Message}"));
            return;
        }

        LoadText(text, path);
    }

    /// <summary>Loads a rule file, or every rule file of a directory.</summary>
    public void LoadPath(string path)
    {
        if (Directory.Exists(path))
        {
            LoadDirectory(path);
        }
        else
        {
            LoadFile(path);
        }
    }

    /// <summary>Loads every <c>.yaml</c>/<c>.yml</c> file of a directory, in name order.</summary>
    public void LoadDirectory(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                     .Order(StringComparer.Ordinal))
        {
            LoadFile(file);
        }
    }

    public void LoadText(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            _diagnostics.Add(new RuleDiagnostic(file, (int)ex.Start.Line, (int)ex.Start.Column, RuleCodes.YamlSyntax, ex.InnerException?.Message ?? ex.Message));
            return;
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlMappingNode root)
            {
                LoadDocument(root, file);
            }
            else if (document.RootNode is not YamlScalarNode { Value: null or "" })
            {
                Error(file, document.RootNode, RuleCodes.UnknownDocument, "a rule file document must be a mapping with apiVersion and kind");
            }
        }
    }

    private void LoadDocument(YamlMappingNode root, string file)
    {
        var apiVersion = Scalar(root, "apiVersion");
        var kind = Scalar(root, "kind");
        if (apiVersion != ApiVersion || kind != Kind)
        {
            Error(file, root, RuleCodes.UnknownDocument,
                $"expected apiVersion {ApiVersion} and kind {Kind}, found {apiVersion ?? "no apiVersion"} and {kind ?? "no kind"}; document skipped");
            return;
        }

        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "apiVersion" or "kind" or "metadata":
                    break;
                case "lists":
                    ForEachItem(value, file, item => LoadList(item, file));
                    break;
                case "macros":
                    ForEachItem(value, file, item => LoadMacro(item, file));
                    break;
                case "rules":
                    ForEachItem(value, file, item => LoadRule(item, file));
                    break;
                default:
                    Warn(file, keyNode, RuleCodes.UnknownKey, $"unknown key '{key}' (expected lists, macros or rules); ignored");
                    break;
            }
        }
    }

    private void ForEachItem(YamlNode node, string file, Action<YamlMappingNode> load)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(file, node, RuleCodes.InvalidValue, "expected a list of items");
            return;
        }

        foreach (var item in sequence.Children)
        {
            if (item is YamlMappingNode mapping)
            {
                load(mapping);
            }
            else
            {
                Error(file, item, RuleCodes.InvalidValue, "expected an item with a name");
            }
        }
    }

    private void LoadList(YamlMappingNode node, string file)
    {
        if (!CheckKeys(node, file, ListKeys, "list") || RequiredName(node, file) is not { } name)
        {
            return;
        }

        var items = StringList(node, "items", file) ?? [];
        var location = Locate(file, node);
        var index = _lists.FindIndex(l => l.Name == name);
        if (Flag(node, "append", file))
        {
            if (index < 0)
            {
                Error(file, node, RuleCodes.NothingToAppendTo, $"list '{name}' is appended to but was never defined");
                return;
            }

            _lists[index] = _lists[index] with { Items = [.. _lists[index].Items, .. items] };
            return;
        }

        Replace(_lists, index, new RuleList(name, items, location));
    }

    private void LoadMacro(YamlMappingNode node, string file)
    {
        if (!CheckKeys(node, file, MacroKeys, "macro") || RequiredName(node, file) is not { } name)
        {
            return;
        }

        if (RequiredScalarNode(node, "condition", file, $"macro '{name}'") is not { } conditionNode)
        {
            return;
        }

        var condition = conditionNode.Value ?? string.Empty;
        var index = _macros.FindIndex(m => m.Name == name);
        if (Flag(node, "append", file))
        {
            if (index < 0)
            {
                Error(file, node, RuleCodes.NothingToAppendTo, $"macro '{name}' is appended to but was never defined");
                return;
            }

            // Appending to a macro widens it: either condition now matches.
            _macros[index] = _macros[index] with { Condition = $"({_macros[index].Condition}) || ({condition})" };
            return;
        }

        Replace(_macros, index, new RuleMacro(name, condition, Locate(file, node), ConditionStart(file, conditionNode)));
    }

    private void LoadRule(YamlMappingNode node, string file)
    {
        if (!CheckKeys(node, file, RuleKeys, "rule") || RequiredName(node, file) is not { } name)
        {
            return;
        }

        var index = _rules.FindIndex(r => r.Name == name);
        var append = Flag(node, "append", file);
        var overrides = Overrides(node, file);
        var modifiesExisting = append || overrides.Count > 0 || (index >= 0 && Keys(node).SetEquals(["name", "enabled"]));
        if (modifiesExisting)
        {
            if (index < 0)
            {
                Error(file, node, RuleCodes.NothingToAppendTo, $"rule '{name}' is modified but was never defined");
                return;
            }

            _rules[index] = Modify(_rules[index], node, file, append, overrides);
            return;
        }

        if (RequiredScalarNode(node, "condition", file, $"rule '{name}'") is not { } conditionNode)
        {
            return;
        }

        var rule = new RuleDefinition
        {
            Name = name,
            Description = Scalar(node, "description") ?? string.Empty,
            Severity = ParseSeverity(node, file) ?? Severity.Medium,
            Tags = StringList(node, "tags", file) ?? [],
            Stages = ParseStages(node, file) ?? [AuditStage.ResponseComplete, AuditStage.Panic],
            Condition = conditionNode.Value ?? string.Empty,
            Exceptions = ParseExceptions(node, file),
            Threshold = ParseThreshold(node, file),
            Output = Scalar(node, "output") ?? string.Empty,
            Enabled = !node.Children.ContainsKey("enabled") || Flag(node, "enabled", file),
            Location = Locate(file, node),
            ConditionLocation = ConditionStart(file, conditionNode),
        };
        Replace(_rules, index, rule);
    }

    /// <summary>Applies <c>append: true</c> (narrow the condition, add exceptions and tags) and explicit part overrides.</summary>
    private RuleDefinition Modify(RuleDefinition rule, YamlMappingNode node, string file, bool append, Dictionary<string, bool> overrides)
    {
        bool Appends(string part) => overrides.TryGetValue(part, out var isAppend) ? isAppend : append;
        bool Touches(string part) => overrides.ContainsKey(part) || (append && node.Children.ContainsKey(part));

        if (Touches("condition") && Scalar(node, "condition") is { } condition)
        {
            rule = Appends("condition")
                ? rule with { Condition = $"({rule.Condition}) && ({condition})" }
                : rule with { Condition = condition, ConditionLocation = ConditionStart(file, (YamlScalarNode)node.Children["condition"]) };
        }

        if (Touches("exceptions"))
        {
            var exceptions = ParseExceptions(node, file);
            rule = rule with { Exceptions = Appends("exceptions") ? [.. rule.Exceptions, .. exceptions] : exceptions };
        }

        if (Touches("tags"))
        {
            var tags = StringList(node, "tags", file) ?? [];
            rule = rule with { Tags = Appends("tags") ? [.. rule.Tags, .. tags] : tags };
        }

        if (overrides.ContainsKey("output") || node.Children.ContainsKey("output") && !append)
        {
            rule = rule with { Output = Scalar(node, "output") ?? rule.Output };
        }

        if (overrides.ContainsKey("severity") && ParseSeverity(node, file) is { } severity)
        {
            rule = rule with { Severity = severity };
        }

        if (overrides.ContainsKey("stages") && ParseStages(node, file) is { } stages)
        {
            rule = rule with { Stages = stages };
        }

        if (overrides.ContainsKey("description"))
        {
            rule = rule with { Description = Scalar(node, "description") ?? rule.Description };
        }

        if (node.Children.ContainsKey("enabled"))
        {
            rule = rule with { Enabled = Flag(node, "enabled", file) };
        }

        return rule;
    }

    private Dictionary<string, bool> Overrides(YamlMappingNode node, string file)
    {
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (!node.Children.TryGetValue("override", out var value))
        {
            return result;
        }

        if (value is not YamlMappingNode map)
        {
            Error(file, value, RuleCodes.InvalidValue, "override must map parts to append or replace, e.g. {condition: append}");
            return result;
        }

        foreach (var (partNode, modeNode) in map.Children)
        {
            var part = ((YamlScalarNode)partNode).Value ?? string.Empty;
            var mode = (modeNode as YamlScalarNode)?.Value;
            if (!OverridableParts.Contains(part))
            {
                Error(file, partNode, RuleCodes.InvalidValue, $"'{part}' cannot be overridden (parts: {string.Join(", ", OverridableParts.Order())})");
            }
            else if (mode is not ("append" or "replace"))
            {
                Error(file, modeNode, RuleCodes.InvalidValue, $"override mode must be append or replace, found '{mode}'");
            }
            else if (mode == "append" && part is not ("condition" or "exceptions" or "tags"))
            {
                Error(file, modeNode, RuleCodes.InvalidValue, $"'{part}' can only be replaced");
            }
            else
            {
                result[part] = mode == "append";
            }
        }

        return result;
    }

    private List<RuleException> ParseExceptions(YamlMappingNode node, string file)
    {
        var result = new List<RuleException>();
        if (!node.Children.TryGetValue("exceptions", out var value))
        {
            return result;
        }

        if (value is not YamlSequenceNode sequence)
        {
            Error(file, value, RuleCodes.ExceptionError, "exceptions must be a list");
            return result;
        }

        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            var name = Scalar(item, "name") ?? $"exception-{result.Count + 1}";
            var fields = StringList(item, "fields", file) ?? [];
            if (fields.Count == 0)
            {
                Error(file, item, RuleCodes.ExceptionError, $"exception '{name}' needs fields");
                continue;
            }

            var rows = new List<IReadOnlyList<string>>();
            if (item.Children.TryGetValue("values", out var valuesNode) && valuesNode is YamlSequenceNode values)
            {
                foreach (var row in values.Children)
                {
                    // With one field, a row may be written as a bare value.
                    var cells = row is YamlSequenceNode cellList
                        ? cellList.Children.Select(c => (c as YamlScalarNode)?.Value ?? string.Empty).ToList()
                        : [(row as YamlScalarNode)?.Value ?? string.Empty];
                    if (cells.Count != fields.Count)
                    {
                        Error(file, row, RuleCodes.ExceptionError, $"exception '{name}' has {fields.Count} fields but a row of {cells.Count} values");
                        continue;
                    }

                    rows.Add(cells);
                }
            }

            result.Add(new RuleException(name, fields, rows, Locate(file, item)));
        }

        return result;
    }

    /// <summary><c>threshold: {count: 10, window: 5m, by: [sourceIP]}</c>; window in s, m or h.</summary>
    private RuleThreshold? ParseThreshold(YamlMappingNode node, string file)
    {
        if (!node.Children.TryGetValue("threshold", out var value))
        {
            return null;
        }

        if (value is not YamlMappingNode map)
        {
            Error(file, value, RuleCodes.InvalidValue, "threshold must be a mapping: {count: N, window: 5m, by: [field, ...]}");
            return null;
        }

        var countText = Scalar(map, "count");
        if (!int.TryParse(countText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            Error(file, map, RuleCodes.InvalidValue, $"threshold count must be a positive integer, found '{countText}'");
            return null;
        }

        var windowText = Scalar(map, "window") ?? string.Empty;
        if (!TryParseWindow(windowText, out var window))
        {
            Error(file, map, RuleCodes.InvalidValue, $"threshold window must be a duration such as 30s, 5m or 1h, found '{windowText}'");
            return null;
        }

        var by = StringList(map, "by", file) ?? [];
        foreach (var field in by.Where(f => Core.Fields.FieldCatalog.Find(f) is null))
        {
            Error(file, map, RuleCodes.InvalidValue, $"threshold groups by unknown field '{field}' (see auditrail fields)");
        }

        return new RuleThreshold(count, window, by);
    }

    private static bool TryParseWindow(string text, out TimeSpan window)
    {
        window = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return false;
        }

        window = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => default,
        };
        return window > TimeSpan.Zero;
    }

    private Severity? ParseSeverity(YamlMappingNode node, string file)
    {
        if (Scalar(node, "severity") is not { } text)
        {
            return null;
        }

        if (SeverityNames.TryParse(text, out var severity))
        {
            return severity;
        }

        Error(file, node.Children["severity"], RuleCodes.InvalidValue, $"unknown severity '{text}' (critical, high, medium, low, info)");
        return null;
    }

    private List<AuditStage>? ParseStages(YamlMappingNode node, string file)
    {
        var names = StringList(node, "stages", file);
        if (names is null)
        {
            return null;
        }

        var stages = new List<AuditStage>();
        foreach (var name in names)
        {
            if (Enum.TryParse<AuditStage>(name, ignoreCase: false, out var stage) && Enum.IsDefined(stage))
            {
                stages.Add(stage);
            }
            else
            {
                Error(file, node.Children["stages"], RuleCodes.InvalidValue, $"unknown stage '{name}' (RequestReceived, ResponseStarted, ResponseComplete, Panic)");
            }
        }

        return stages;
    }

    private List<string>? StringList(YamlMappingNode node, string key, string file)
    {
        if (!node.Children.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode))
        {
            return sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).ToList();
        }

        Error(file, value, RuleCodes.InvalidValue, $"'{key}' must be a list of strings");
        return null;
    }

    private bool CheckKeys(YamlMappingNode node, string file, HashSet<string> allowed, string what)
    {
        foreach (var key in node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!allowed.Contains(name))
            {
                Warn(file, key, RuleCodes.UnknownKey, $"unknown key '{name}' in a {what} (known: {string.Join(", ", allowed.Order())}); ignored");
            }
        }

        return true;
    }

    private string? RequiredName(YamlMappingNode node, string file) =>
        RequiredScalarNode(node, "name", file, "item")?.Value is { Length: > 0 } name ? name : null;

    private YamlScalarNode? RequiredScalarNode(YamlMappingNode node, string key, string file, string owner)
    {
        if (node.Children.TryGetValue(key, out var value) && value is YamlScalarNode { Value: { Length: > 0 } } scalar)
        {
            return scalar;
        }

        Error(file, value ?? node, RuleCodes.MissingField, $"{owner} needs a non-empty '{key}'");
        return null;
    }

    private bool Flag(YamlMappingNode node, string key, string file)
    {
        var text = Scalar(node, key);
        switch (text)
        {
            case null or "false":
                return false;
            case "true":
                return true;
            default:
                Error(file, node.Children[key], RuleCodes.InvalidValue, $"'{key}' must be true or false, found '{text}'");
                return false;
        }
    }

    private static HashSet<string> Keys(YamlMappingNode node) =>
        node.Children.Keys.Select(k => (k as YamlScalarNode)?.Value ?? string.Empty).ToHashSet(StringComparer.Ordinal);

    internal static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static void Replace<T>(List<T> items, int index, T item)
    {
        if (index >= 0)
        {
            items[index] = item;
        }
        else
        {
            items.Add(item);
        }
    }

    private static SourceLocation Locate(string file, YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>
    /// Where the expression text begins: a block scalar (<c>|</c>, <c>&gt;</c>) starts on the next line;
    /// a quoted one after its quote. Used to turn an expression's line:column into the file's.
    /// </summary>
    private static SourceLocation ConditionStart(string file, YamlScalarNode node) => node.Style switch
    {
        ScalarStyle.Literal or ScalarStyle.Folded => new(file, (int)node.Start.Line + 1, 0),
        ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted => new(file, (int)node.Start.Line, (int)node.Start.Column + 1),
        _ => new(file, (int)node.Start.Line, (int)node.Start.Column),
    };

    private void Error(string file, YamlNode node, string code, string message) =>
        _diagnostics.Add(new RuleDiagnostic(file, (int)node.Start.Line, (int)node.Start.Column, code, message));

    private void Warn(string file, YamlNode node, string code, string message) =>
        _diagnostics.Add(new RuleDiagnostic(file, (int)node.Start.Line, (int)node.Start.Column, code, message, IsWarning: true));
}
