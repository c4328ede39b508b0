using Auditrail.Core.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Detection.Rules;

/// <summary>The lists, macros and rules of one or more rule files, after appends and overrides.</summary>
public sealed record RulePack(IReadOnlyList<RuleList> Lists, IReadOnlyList<RuleMacro> Macros, IReadOnlyList<RuleDefinition> Rules);

/// <summary>
/// Loads <c>auditrail.io/v1alpha1 RulePack</c> documents, and Falco rule files (translated; see
/// <see cref="Falco.FalcoTranslator"/>). Files load in order; a later file may
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
        ["name", "description", "severity", "tags", "stages", "condition", "exceptions", "output", "enabled", "append", "override",
        "threshold", "distinct", "sequence", "newTerms", "rate"];

    /// <summary>The keys that make a rule stateful; a rule has at most one.</summary>
    private static readonly string[] StatefulParts = ["threshold", "distinct", "sequence", "newTerms", "rate"];

    private static readonly HashSet<string> OverridableParts =
        ["condition", "exceptions", "output", "severity", "tags", "stages", "description", "enabled", "threshold", "distinct", "sequence", "newTerms", "rate"];

    private readonly List<RuleDiagnostic> _diagnostics = [];
    private readonly List<RuleList> _lists = [];
    private readonly List<RuleMacro> _macros = [];
    private readonly List<RuleDefinition> _rules = [];

    /// <summary>Every problem so far; Falco files read since the last native document are translated first, so theirs are included.</summary>
    public IReadOnlyList<RuleDiagnostic> Diagnostics
    {
        get
        {
            TranslateFalco();
            return _diagnostics;
        }
    }

    public bool HasErrors => Diagnostics.Any(d => !d.IsWarning);

    /// <summary>Falco rule files read since the last native document, translated together (Falco merges across files).</summary>
    private Falco.FalcoRuleCollector? _falco;

    public RulePack Build()
    {
        TranslateFalco();
        return new([.. _lists], [.. _macros], [.. _rules]);
    }

    /// <summary>Adds a pack's items as if loaded here: an item with a known name replaces it.</summary>
    public void Include(RulePack pack)
    {
        foreach (var list in pack.Lists)
        {
            Replace(_lists, _lists.FindIndex(l => l.Name == list.Name), list);
        }

        foreach (var macro in pack.Macros)
        {
            Replace(_macros, _macros.FindIndex(m => m.Name == macro.Name), macro);
        }

        foreach (var rule in pack.Rules)
        {
            Replace(_rules, _rules.FindIndex(r => r.Name == rule.Name), rule);
        }
    }

    /// <summary>
    /// Translates the Falco files read so far and adds their items, before a native document that may
    /// append to them, or at the end. Items that cannot be translated are warnings: the rest still loads.
    /// </summary>
    private void TranslateFalco()
    {
        if (_falco is null)
        {
            return;
        }

        var translation = Falco.FalcoTranslator.Translate(_falco);
        _falco = null;
        _diagnostics.AddRange(translation.Diagnostics);
        Include(translation.Pack);
    }

    public void LoadFile(string path)
    {
        if (ReadYaml(path, _diagnostics) is { } stream)
        {
            Load(stream, path);
        }
    }

    /// <summary>A rule file's YAML, or null with the problem (unreadable, not YAML) added to <paramref name="diagnostics"/>.</summary>
    internal static YamlStream? ReadYaml(string path, List<RuleDiagnostic> diagnostics)
    {
        try
        {
            return ParseYaml(File.ReadAllText(path), path, diagnostics);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new RuleDiagnostic(path, 0, 0, RuleCodes.YamlSyntax, $"cannot read: {ex.Message}"));
            return null;
        }
    }

    private static YamlStream? ParseYaml(string text, string file, List<RuleDiagnostic> diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
            return stream;
        }
        catch (YamlException ex)
        {
            diagnostics.Add(new RuleDiagnostic(file, (int)ex.Start.Line, (int)ex.Start.Column, RuleCodes.YamlSyntax, ex.InnerException?.Message ?? ex.Message));
            return null;
        }
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
        if (ParseYaml(text, file, _diagnostics) is { } stream)
        {
            Load(stream, file);
        }
    }

    /// <summary>Loads parsed YAML: a Falco rules file joins the Falco files read since the last native document; RulePack documents load here.</summary>
    private void Load(YamlStream stream, string file)
    {
        if (Falco.FalcoRuleCollector.IsFalcoRuleFile(stream))
        {
            _falco ??= new Falco.FalcoRuleCollector();
            _falco.Load(stream, file);
            return;
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlMappingNode root)
            {
                TranslateFalco();
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

        var stateful = StatefulParts.Where(part => node.Children.ContainsKey(part)).ToList();
        if (stateful.Count > 1)
        {
            Error(file, node, RuleCodes.InvalidValue, $"rule '{name}' has {string.Join(" and ", stateful)}; a rule keeps one kind of state");
            return;
        }

        var sequence = ParseSequence(node, file);
        if (sequence is null && node.Children.ContainsKey("sequence"))
        {
            return;
        }

        string condition;
        SourceLocation conditionLocation;
        if (sequence is not null && !node.Children.ContainsKey("condition"))
        {
            // A sequence's steps carry the conditions; without a condition of its own, the rule considers any event some step matches.
            condition = string.Join(" || ", sequence.Steps.Select(s => $"({s.Condition})"));
            conditionLocation = Locate(file, node);
        }
        else if (RequiredScalarNode(node, "condition", file, $"rule '{name}'") is { } conditionNode)
        {
            condition = conditionNode.Value ?? string.Empty;
            conditionLocation = ConditionStart(file, conditionNode);
        }
        else
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
            Condition = condition,
            Exceptions = ParseExceptions(node, file),
            Threshold = ParseThreshold(node, file),
            Distinct = ParseDistinct(node, file),
            Sequence = sequence,
            NewTerms = ParseNewTerms(node, file),
            Rate = ParseRate(node, file),
            Output = Scalar(node, "output") ?? string.Empty,
            Enabled = !node.Children.ContainsKey("enabled") || Flag(node, "enabled", file),
            Location = Locate(file, node),
            ConditionLocation = conditionLocation,
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

        // Replacing the state part tunes a detector (count, window, key) without restating the rule.
        if (overrides.ContainsKey("threshold") || overrides.ContainsKey("distinct") || overrides.ContainsKey("sequence") || overrides.ContainsKey("newTerms") || overrides.ContainsKey("rate"))
        {
            rule = rule with
            {
                Threshold = ParseThreshold(node, file),
                Distinct = ParseDistinct(node, file),
                Sequence = ParseSequence(node, file),
                NewTerms = ParseNewTerms(node, file),
                Rate = ParseRate(node, file),
            };
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

            result.Add(new RuleException(name, fields, rows, Locate(file, item)) { Comps = ParseComps(item, file, name, fields.Count) });
        }

        return result;
    }

    /// <summary><c>comps: [=, startswith]</c>: one comparison per exception field; null when absent (all equality).</summary>
    private List<string>? ParseComps(YamlMappingNode item, string file, string name, int fieldCount)
    {
        if (StringList(item, "comps", file) is not { } comps)
        {
            return null;
        }

        if (comps.Count != fieldCount)
        {
            Error(file, item.Children["comps"], RuleCodes.ExceptionError, $"exception '{name}' has {fieldCount} fields but {comps.Count} comps");
            return null;
        }

        foreach (var comp in comps.Where(c => !ExceptionComparisons.IsKnown(c)))
        {
            Error(file, item.Children["comps"], RuleCodes.ExceptionError, $"exception '{name}': unknown comparison '{comp}' ({string.Join(", ", ExceptionComparisons.Names)})");
        }

        return comps.All(c => c is "=" or "==") ? null : comps;
    }

    /// <summary><c>threshold: {count: 10, window: 5m, by: [sourceIP]}</c>.</summary>
    private RuleThreshold? ParseThreshold(YamlMappingNode node, string file)
    {
        if (StateMap(node, "threshold", file, "{count: N, window: 5m, by: [field, ...]}", ["count", "window", "by"]) is not { } map)
        {
            return null;
        }

        var count = PositiveInt(map, "threshold", "count", file, fallback: null);
        var window = Duration(map, "threshold", "window", file, fallback: null);
        var by = GroupFields(map, "threshold", file);
        return count is { } c && window is { } w && by is not null ? new RuleThreshold(c, w, by) : null;
    }

    /// <summary><c>distinct: {field: objectRef.name, count: 3, window: 1m, by: [identity.name]}</c>.</summary>
    private RuleDistinct? ParseDistinct(YamlMappingNode node, string file)
    {
        if (StateMap(node, "distinct", file, "{field: F, count: N, window: 1m, by: [field, ...]}", ["field", "count", "window", "by"]) is not { } map)
        {
            return null;
        }

        var field = Scalar(map, "field");
        if (field is null || Core.Fields.FieldCatalog.Find(field) is null)
        {
            Error(file, map, RuleCodes.InvalidValue, field is null ? "distinct needs the field whose values it counts" : $"distinct counts unknown field '{field}' (see auditrail fields)");
        }

        var count = PositiveInt(map, "distinct", "count", file, fallback: null);
        var window = Duration(map, "distinct", "window", file, fallback: null);
        var by = GroupFields(map, "distinct", file);
        return field is not null && Core.Fields.FieldCatalog.Find(field) is not null && count is { } c && window is { } w && by is not null
            ? new RuleDistinct(field, c, w, by)
            : null;
    }

    /// <summary><c>sequence: {within: 5m, by: [identity.name], steps: [{name: a, condition: …}, …]}</c>, two to 32 steps.</summary>
    private RuleSequence? ParseSequence(YamlMappingNode node, string file)
    {
        if (StateMap(node, "sequence", file, "{within: 5m, by: [field, ...], steps: [{name: N, condition: C}, ...]}", ["within", "by", "steps"]) is not { } map)
        {
            return null;
        }

        var within = Duration(map, "sequence", "within", file, fallback: null);
        var by = GroupFields(map, "sequence", file);
        var steps = new List<SequenceStep>();
        if (!map.Children.TryGetValue("steps", out var stepsNode) || stepsNode is not YamlSequenceNode stepList || stepList.Children.Count is < 2 or > 32)
        {
            Error(file, map, RuleCodes.InvalidValue, "sequence needs 'steps': a list of 2 to 32 {name, condition} items");
            return null;
        }

        foreach (var item in stepList.Children)
        {
            if (item is not YamlMappingNode step || !CheckKeys(step, file, ["name", "condition"], "sequence step")
                || RequiredScalarNode(step, "condition", file, "a sequence step") is not { } condition)
            {
                if (item is not YamlMappingNode)
                {
                    Error(file, item, RuleCodes.InvalidValue, "a sequence step must be a mapping {name, condition}");
                }

                return null;
            }

            steps.Add(new SequenceStep(Scalar(step, "name") ?? $"step-{steps.Count + 1}", condition.Value ?? string.Empty, ConditionStart(file, condition)));
        }

        return within is { } w && by is not null ? new RuleSequence(steps, w, by) : null;
    }

    /// <summary><c>newTerms: {fields: [sourceIP], by: [identity.name], learnFor: 7d, expireAfter: 30d}</c>.</summary>
    private RuleNewTerms? ParseNewTerms(YamlMappingNode node, string file)
    {
        if (StateMap(node, "newTerms", file, "{fields: [field, ...], by: [field, ...], learnFor: 7d, expireAfter: 30d}", ["fields", "by", "learnFor", "expireAfter"]) is not { } map)
        {
            return null;
        }

        var fields = StringList(map, "fields", file) ?? [];
        if (fields.Count == 0)
        {
            Error(file, map, RuleCodes.InvalidValue, "newTerms needs 'fields': the values to learn, e.g. [sourceIP]");
        }

        foreach (var field in fields.Where(f => Core.Fields.FieldCatalog.Find(f) is null))
        {
            Error(file, map, RuleCodes.InvalidValue, $"newTerms learns unknown field '{field}' (see auditrail fields)");
        }

        var by = GroupFields(map, "newTerms", file);
        var learnFor = Duration(map, "newTerms", "learnFor", file, fallback: TimeSpan.FromDays(7));
        var expireAfter = Duration(map, "newTerms", "expireAfter", file, fallback: TimeSpan.FromDays(30));
        return fields.Count > 0 && fields.All(f => Core.Fields.FieldCatalog.Find(f) is not null) && by is not null && learnFor is { } l && expireAfter is { } e
            ? new RuleNewTerms(fields, by, l, e)
            : null;
    }

    /// <summary><c>rate: {by: [identity.name], factor: 10, minCount: 100, learnFor: 7d}</c>.</summary>
    private RuleRate? ParseRate(YamlMappingNode node, string file)
    {
        if (StateMap(node, "rate", file, "{by: [field, ...], factor: 10, minCount: 100, learnFor: 7d}", ["by", "factor", "minCount", "learnFor"]) is not { } map)
        {
            return null;
        }

        var by = GroupFields(map, "rate", file);
        var factorText = Scalar(map, "factor") ?? "10";
        if (!double.TryParse(factorText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var factor) || factor <= 1 || !double.IsFinite(factor))
        {
            Error(file, map, RuleCodes.InvalidValue, $"rate factor must be a number above 1, found '{factorText}'");
            return null;
        }

        var minCount = PositiveInt(map, "rate", "minCount", file, fallback: 100);
        var learnFor = Duration(map, "rate", "learnFor", file, fallback: TimeSpan.FromDays(7));
        return by is not null && minCount is { } m && learnFor is { } l ? new RuleRate(by, factor, m, l) : null;
    }

    /// <summary>The mapping under a stateful key, or null (with an error when it is not a mapping).</summary>
    private YamlMappingNode? StateMap(YamlMappingNode node, string key, string file, string shape, HashSet<string> keys)
    {
        if (!node.Children.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value is not YamlMappingNode map)
        {
            Error(file, value, RuleCodes.InvalidValue, $"{key} must be a mapping: {shape}");
            return null;
        }

        CheckKeys(map, file, keys, key);
        return map;
    }

    private int? PositiveInt(YamlMappingNode map, string owner, string key, string file, int? fallback)
    {
        var text = Scalar(map, key);
        if (text is null && fallback is not null)
        {
            return fallback;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 1)
        {
            return value;
        }

        Error(file, map, RuleCodes.InvalidValue, $"{owner} {key} must be a positive integer, found '{text}'");
        return null;
    }

    private TimeSpan? Duration(YamlMappingNode map, string owner, string key, string file, TimeSpan? fallback)
    {
        var text = Scalar(map, key);
        if (text is null && fallback is not null)
        {
            return fallback;
        }

        if (TryParseDuration(text ?? string.Empty, out var duration))
        {
            return duration;
        }

        Error(file, map, RuleCodes.InvalidValue, $"{owner} {key} must be a duration such as 30s, 5m, 1h or 7d, found '{text}'");
        return null;
    }

    /// <summary>The <c>by</c> fields (none means one key for all events), or null when one is unknown.</summary>
    private List<string>? GroupFields(YamlMappingNode map, string owner, string file)
    {
        var by = StringList(map, "by", file) ?? [];
        var unknown = by.Where(f => Core.Fields.FieldCatalog.Find(f) is null).ToList();
        foreach (var field in unknown)
        {
            Error(file, map, RuleCodes.InvalidValue, $"{owner} groups by unknown field '{field}' (see auditrail fields)");
        }

        return unknown.Count == 0 ? by : null;
    }

    /// <summary>Durations as rule authors write them: a positive whole number and s, m, h or d.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return false;
        }

        duration = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => default,
        };
        return duration > TimeSpan.Zero;
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
