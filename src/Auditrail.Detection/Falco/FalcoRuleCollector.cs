using Auditrail.Detection.Rules;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Detection.Falco;

/// <summary>
/// Reads Falco rule files (a YAML sequence of <c>list</c>, <c>macro</c> and <c>rule</c> items) in
/// order and applies what Falco's loader does across them: a later definition replaces an item,
/// <c>append: true</c> and <c>override: {part: append|replace}</c> change parts of it (appended
/// conditions and outputs join with a space), and an item with only <c>enabled</c> switches a rule.
/// An item Falco would refuse is reported with file:line and skipped; the rest still loads.
/// </summary>
public sealed class FalcoRuleCollector
{
    private static readonly string[] ItemKinds = ["rule", "macro", "list", "required_engine_version", "required_plugin_versions"];

    private static readonly HashSet<string> RuleAppendable = ["condition", "output", "desc", "tags", "exceptions"];
    private static readonly HashSet<string> RuleReplaceable = ["condition", "output", "desc", "priority", "tags", "exceptions", "enabled", "warn_evttypes", "skip-if-unknown-filter"];
    private static readonly HashSet<string> RuleKeys =
        ["rule", "desc", "condition", "output", "priority", "source", "tags", "enabled", "exceptions", "append", "override", "warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration"];

    private readonly List<RuleDiagnostic> _diagnostics = [];
    private readonly List<FalcoList> _lists = [];
    private readonly List<FalcoMacro> _macros = [];
    private readonly List<FalcoRule> _rules = [];
    private int _nextIndex;

    public IReadOnlyList<RuleDiagnostic> Diagnostics => _diagnostics;
    public IReadOnlyList<FalcoList> Lists => _lists;
    public IReadOnlyList<FalcoMacro> Macros => _macros;
    public IReadOnlyList<FalcoRule> Rules => _rules;

    /// <summary>The files read so far, in order.</summary>
    public List<string> Files { get; } = [];

    /// <summary>
    /// Lists appended to without a definition. Falco refuses that; we start them empty (the rule file
    /// that defines them, such as Falco's syscall rules, may simply not be loaded) and say so.
    /// </summary>
    public List<string> ListsAppendedWithoutDefinition { get; } = [];

    /// <summary>True when the YAML looks like a Falco rule file: a sequence of items keyed rule, macro, list or required_*.</summary>
    public static bool IsFalcoRuleFile(YamlStream stream) =>
        stream.Documents.Any(d => d.RootNode is YamlSequenceNode sequence
            && sequence.Children.OfType<YamlMappingNode>().Any(item => ItemKinds.Any(kind => item.Children.ContainsKey(kind))));

    /// <summary>Reads a file; a file that cannot be read or parsed is reported.</summary>
    public void LoadFile(string path)
    {
        if (RulePackLoader.ReadYaml(path, _diagnostics) is { } stream)
        {
            Load(stream, path);
        }
    }

    /// <summary>Reads the items of an already parsed file.</summary>
    public void Load(YamlStream stream, string file)
    {
        Files.Add(file);
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlSequenceNode items:
                    foreach (var item in items.Children)
                    {
                        LoadItem(item, file);
                    }

                    break;
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    Error(file, document.RootNode, "a Falco rules file is a YAML sequence of list, macro and rule items");
                    break;
            }
        }
    }

    private void LoadItem(YamlNode node, string file)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (node is not YamlMappingNode item)
        {
            Error(file, node, "each item must be a mapping (list, macro or rule)");
            return;
        }

        if (item.Children.ContainsKey("required_engine_version") || item.Children.ContainsKey("required_plugin_versions"))
        {
            // Versions of Falco and its plugins: nothing to translate.
            return;
        }

        if (item.Children.ContainsKey("list"))
        {
            LoadList(item, file);
        }
        else if (item.Children.ContainsKey("macro"))
        {
            LoadMacro(item, file);
        }
        else if (item.Children.ContainsKey("rule"))
        {
            LoadRule(item, file);
        }
        else
        {
            Warn(file, item, "unknown top-level item (expected list, macro, rule or required_*); ignored");
        }
    }

    private void LoadList(YamlMappingNode item, string file)
    {
        if (Name(item, "list", file) is not { } name || !TryAppendMode(item, file, "items", out var append))
        {
            return;
        }

        if (!item.Children.TryGetValue("items", out var itemsNode) || itemsNode is not YamlSequenceNode sequence || sequence.Children.Any(c => c is not YamlScalarNode))
        {
            Error(file, item, $"list '{name}' needs 'items': a sequence of values");
            return;
        }

        var items = sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).ToList();
        var existing = _lists.Find(l => l.Name == name);
        if (append)
        {
            if (existing is null)
            {
                ListsAppendedWithoutDefinition.Add(name);
                Note(file, item, $"list '{name}' is appended to but was never defined (Falco would refuse this file); starting it empty");
                existing = new FalcoList(name, Locate(file, item), _nextIndex);
                _lists.Add(existing);
            }

            existing.Items.AddRange(items);
            existing.Visibility = _nextIndex++;
            return;
        }

        if (existing is not null)
        {
            existing.Items.Clear();
            existing.Items.AddRange(items);
            existing.Location = Locate(file, item);
            existing.Visibility = _nextIndex++;
            return;
        }

        var list = new FalcoList(name, Locate(file, item), _nextIndex++);
        list.Items.AddRange(items);
        _lists.Add(list);
    }

    private void LoadMacro(YamlMappingNode item, string file)
    {
        if (Name(item, "macro", file) is not { } name || !TryAppendMode(item, file, "condition", out var append) || Text(item, "condition", file, $"macro '{name}'") is not { } condition)
        {
            return;
        }

        var existing = _macros.Find(m => m.Name == name);
        if (append)
        {
            if (existing is null)
            {
                Error(file, item, $"macro '{name}' is appended to but was never defined");
                return;
            }

            existing.Condition = existing.Condition.Append(condition);
            return;
        }

        if (existing is not null)
        {
            existing.Condition = condition;
            existing.Location = Locate(file, item);
            return;
        }

        _macros.Add(new FalcoMacro(name, condition, Locate(file, item)));
    }

    /// <summary>
    /// A list's or macro's <c>append: true</c>, or <c>override: {part: append|replace}</c> for its one
    /// part; false (with an error) when the two are mixed or the override is malformed.
    /// </summary>
    private bool TryAppendMode(YamlMappingNode item, string file, string part, out bool append)
    {
        append = Flag(item, "append", file) ?? false;
        if (Overrides(item, file, [part], [part]) is not { } overrides)
        {
            return false;
        }

        if (append && overrides.Count > 0)
        {
            Error(file, item, "an item cannot have both 'append' and 'override'");
            return false;
        }

        append |= overrides.GetValueOrDefault(part) == "append";
        return true;
    }

    private void LoadRule(YamlMappingNode item, string file)
    {
        if (Name(item, "rule", file) is not { } name)
        {
            return;
        }

        foreach (var key in item.Children.Keys.OfType<YamlScalarNode>().Where(k => !RuleKeys.Contains(k.Value ?? string.Empty)))
        {
            Warn(file, key, $"unknown key '{key.Value}' in rule '{name}'; ignored");
        }

        var existing = _rules.Find(r => r.Name == name);
        var append = Flag(item, "append", file) ?? false;
        if (Overrides(item, file, RuleAppendable, RuleReplaceable) is not { } overrides)
        {
            return;
        }

        if (append && overrides.Count > 0)
        {
            Error(file, item, $"rule '{name}' has both 'append' and 'override'");
            return;
        }

        if (overrides.Count > 0 || append)
        {
            if (existing is null)
            {
                Error(file, item, $"rule '{name}' is {(append ? "appended to" : "overridden")} but was never defined");
                return;
            }

            var modes = append ? new Dictionary<string, string> { ["condition"] = "append", ["exceptions"] = "append" } : overrides;
            Update(existing, item, file, modes, strict: !append);
            return;
        }

        if (!new[] { "condition", "output", "desc", "priority" }.Any(key => item.Children.ContainsKey(key)))
        {
            // An item with only 'enabled' switches an existing rule on or off.
            if (existing is null || Flag(item, "enabled", file) is not { } enabled)
            {
                Error(file, item, existing is null ? $"rule '{name}' has 'enabled' but no rule by that name exists" : $"rule '{name}' needs a condition, output, desc and priority");
                return;
            }

            existing.Enabled = enabled;
            return;
        }

        Define(name, item, file, existing);
    }

    private void Define(string name, YamlMappingNode item, string file, FalcoRule? existing)
    {
        var owner = $"rule '{name}'";
        var condition = Text(item, "condition", file, owner);
        var output = Text(item, "output", file, owner);
        var description = Text(item, "desc", file, owner);
        var priority = Scalar(item, "priority");
        if (condition is null || output is null || description is null)
        {
            return;
        }

        if (priority is null || FalcoPriorities.Normalize(priority) is null)
        {
            Error(file, item, $"{owner} needs a priority (emergency, alert, critical, error, warning, notice, informational, debug), found '{priority}'");
            return;
        }

        var source = Scalar(item, "source") ?? FalcoPriorities.SyscallSource;
        if (existing is not null && existing.Source != source)
        {
            Error(file, item, $"{owner} is redefined with source '{source}' but was '{existing.Source}'");
            return;
        }

        var rule = existing ?? new FalcoRule(name, Locate(file, item));
        rule.Location = Locate(file, item);
        rule.Condition = condition;
        rule.Output = output with { Text = output.Text.Trim() };
        rule.Description = description.Text;
        rule.Priority = priority;
        rule.Source = source;
        rule.Enabled = Flag(item, "enabled", file) ?? true;
        rule.Tags = Tags(item, file) ?? [];
        rule.Exceptions = Exceptions(item, file, owner, appending: false) ?? [];
        if (existing is null)
        {
            _rules.Add(rule);
        }
    }

    /// <summary>Applies <c>override</c> parts (or <c>append: true</c>) to an existing rule.</summary>
    /// <param name="strict">With <c>override</c>, Falco requires each part named there to be given, and each part given to be named.</param>
    private void Update(FalcoRule rule, YamlMappingNode item, string file, Dictionary<string, string> modes, bool strict)
    {
        var owner = $"rule '{rule.Name}'";
        if (strict)
        {
            foreach (var part in RuleReplaceable.Union(RuleAppendable).Where(p => item.Children.ContainsKey(p) != modes.ContainsKey(p)))
            {
                Error(file, item, modes.ContainsKey(part) ? $"{owner} overrides '{part}' but gives no '{part}'" : $"{owner} gives '{part}' but 'override' does not name it");
                return;
            }
        }

        foreach (var (part, mode) in modes.Where(m => item.Children.ContainsKey(m.Key)))
        {
            var append = mode == "append";
            switch (part)
            {
                case "condition" when Text(item, part, file, owner) is { } condition:
                    rule.Condition = append ? rule.Condition.Append(condition) : condition;
                    break;
                case "output" when Text(item, part, file, owner) is { } output:
                    rule.Output = append ? rule.Output.Append(output) : output;
                    break;
                case "desc" when Text(item, part, file, owner) is { } description:
                    rule.Description = append ? $"{rule.Description} {description.Text}" : description.Text;
                    break;
                case "tags" when Tags(item, file) is { } tags:
                    rule.Tags = append ? [.. rule.Tags, .. tags.Where(t => !rule.Tags.Contains(t))] : tags;
                    break;
                case "exceptions" when Exceptions(item, file, owner, appending: true) is { } exceptions:
                    if (append)
                    {
                        MergeExceptions(rule, exceptions);
                    }
                    else
                    {
                        rule.Exceptions = exceptions;
                    }

                    break;
                case "priority" when Scalar(item, part) is { } priority && FalcoPriorities.Normalize(priority) is not null:
                    rule.Priority = priority;
                    break;
                case "enabled" when Flag(item, part, file) is { } enabled:
                    rule.Enabled = enabled;
                    break;
            }
        }
    }

    /// <summary>Appended exceptions with a known name add values to it; new ones join the rule.</summary>
    private void MergeExceptions(FalcoRule rule, List<FalcoException> appended)
    {
        foreach (var exception in appended)
        {
            var index = rule.Exceptions.FindIndex(e => e.Name == exception.Name);
            if (index < 0)
            {
                if (exception.Fields is null)
                {
                    _diagnostics.Add(Diagnostic(exception.Location, RuleCodes.FalcoUntranslated, $"rule '{rule.Name}': new exception '{exception.Name}' needs fields"));
                    continue;
                }

                rule.Exceptions.Add(exception);
            }
            else if (exception.Fields is not null || exception.Comps is not null)
            {
                _diagnostics.Add(Diagnostic(exception.Location, RuleCodes.FalcoUntranslated,
                    $"rule '{rule.Name}': exception '{exception.Name}' exists; only values can be appended to it, not fields or comps"));
            }
            else
            {
                rule.Exceptions[index] = rule.Exceptions[index] with { Values = [.. rule.Exceptions[index].Values, .. exception.Values] };
            }
        }
    }

    private List<FalcoException>? Exceptions(YamlMappingNode item, string file, string owner, bool appending)
    {
        if (!item.Children.TryGetValue("exceptions", out var node) || node is YamlScalarNode { Value: null or "" })
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(file, node, $"{owner}: exceptions must be a sequence");
            return null;
        }

        var result = new List<FalcoException>();
        foreach (var child in sequence.Children)
        {
            if (child is not YamlMappingNode exception || Scalar(exception, "name") is not { Length: > 0 } name)
            {
                Error(file, child, $"{owner}: each exception is a mapping with a name");
                continue;
            }

            if (result.Any(e => e.Name == name))
            {
                Error(file, child, $"{owner}: exception names must be unique, '{name}' repeats");
                continue;
            }

            var fields = Entry(exception, "fields");
            if (fields is null && !appending)
            {
                Error(file, child, $"{owner}: exception '{name}' needs fields");
                continue;
            }

            var values = exception.Children.TryGetValue("values", out var valuesNode) && valuesNode is YamlSequenceNode rows
                ? rows.Children.Select(EntryOf).ToList()
                : [];
            result.Add(new FalcoException(name, fields, Entry(exception, "comps"), values, Locate(file, child)));
        }

        return result;
    }

    private static FalcoEntry? Entry(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is not YamlScalarNode { Value: null } ? EntryOf(value) : null;

    private static FalcoEntry EntryOf(YamlNode node) => node switch
    {
        YamlSequenceNode sequence => FalcoEntry.List(sequence.Children.Select(EntryOf).ToList()),
        YamlScalarNode scalar => FalcoEntry.Scalar(scalar.Value ?? string.Empty),
        _ => FalcoEntry.Scalar(string.Empty),
    };

    /// <summary>The <c>override</c> map (part → append|replace), empty when absent, null when malformed.</summary>
    private Dictionary<string, string>? Overrides(YamlMappingNode item, string file, HashSet<string> appendable, HashSet<string> replaceable)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!item.Children.TryGetValue("override", out var node))
        {
            return result;
        }

        if (node is not YamlMappingNode map)
        {
            Error(file, node, "override must map parts to append or replace, e.g. {items: append}");
            return null;
        }

        foreach (var (keyNode, modeNode) in map.Children)
        {
            var part = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var mode = (modeNode as YamlScalarNode)?.Value;
            if (mode == "append" && !appendable.Contains(part) || mode == "replace" && !replaceable.Contains(part) || mode is not ("append" or "replace"))
            {
                Error(file, modeNode, $"'{part}' cannot be overridden with '{mode}' (append: {string.Join(", ", appendable)}; replace: {string.Join(", ", replaceable)})");
                return null;
            }

            result[part] = mode;
        }

        return result;
    }

    private string? Name(YamlMappingNode item, string key, string file)
    {
        if (Scalar(item, key) is { Length: > 0 } name)
        {
            return name;
        }

        Error(file, item, $"a {key} item needs a non-empty name under '{key}'");
        return null;
    }

    /// <summary>A text part with where it starts (a block scalar on the next line, a quoted one after its quote).</summary>
    private FalcoText? Text(YamlMappingNode item, string key, string file, string owner)
    {
        if (item.Children.TryGetValue(key, out var node) && node is YamlScalarNode { Value: { Length: > 0 } text } scalar)
        {
            var start = scalar.Style switch
            {
                ScalarStyle.Literal or ScalarStyle.Folded => new SourceLocation(file, (int)scalar.Start.Line + 1, 0),
                ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted => new SourceLocation(file, (int)scalar.Start.Line, (int)scalar.Start.Column + 1),
                _ => new SourceLocation(file, (int)scalar.Start.Line, (int)scalar.Start.Column),
            };
            return FalcoText.From(text, start);
        }

        Error(file, node ?? item, $"{owner} needs a non-empty '{key}'");
        return null;
    }

    private List<string>? Tags(YamlMappingNode item, string file)
    {
        if (!item.Children.TryGetValue("tags", out var node))
        {
            return null;
        }

        if (node is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode))
        {
            return sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).Distinct(StringComparer.Ordinal).ToList();
        }

        Error(file, node, "tags must be a sequence of strings");
        return null;
    }

    private bool? Flag(YamlMappingNode item, string key, string file)
    {
        switch (Scalar(item, key)?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            default:
                Error(file, item.Children[key], $"'{key}' must be true or false");
                return null;
        }
    }

    private static string? Scalar(YamlMappingNode node, string key) => RulePackLoader.Scalar(node, key);

    private static SourceLocation Locate(string file, YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    private static RuleDiagnostic Diagnostic(SourceLocation at, string code, string message, bool warning = true) =>
        new(at.File, at.Line, at.Column, code, message, IsWarning: warning);

    /// <summary>An item Falco would refuse: reported and skipped, as an untranslated item.</summary>
    private void Error(string file, YamlNode node, string message) =>
        _diagnostics.Add(Diagnostic(Locate(file, node), RuleCodes.FalcoUntranslated, message));

    private void Warn(string file, YamlNode node, string message) =>
        _diagnostics.Add(Diagnostic(Locate(file, node), RuleCodes.UnknownKey, message));

    private void Note(string file, YamlNode node, string message) =>
        _diagnostics.Add(Diagnostic(Locate(file, node), RuleCodes.FalcoNote, message));
}
