using Auditrail.Core.Fields;
using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Falco;

/// <summary>
/// Falco rule files translated to a rule pack: the pack, what could not be translated (each with
/// file:line and why) and each rule's Falco priority, which the pack keeps only as a severity.
/// </summary>
public sealed record FalcoTranslation(RulePack Pack, IReadOnlyList<RuleDiagnostic> Diagnostics, IReadOnlyDictionary<string, string> Priorities)
{
    /// <summary>Items (lists, macros, rules, exceptions) left out, each reported in <see cref="Diagnostics"/>.</summary>
    public int Untranslated => Diagnostics.Count(d => d.Code == RuleCodes.FalcoUntranslated);

    /// <summary>Falco rules the files defined, whatever became of them.</summary>
    public int RulesRead { get; init; }
}

/// <summary>
/// Translates what a <see cref="FalcoRuleCollector"/> read into our rule model: lists (with the lists
/// they name expanded, as Falco does), macros and k8s_audit rules become pack items of the same
/// names; conditions and outputs become CEL (<see cref="FalcoConditionTranslator"/>); exceptions stay
/// exceptions when every field is a catalog field and every comparison one ours supports, and are
/// folded into the condition otherwise. Rules consider every stage, as Falco does, and say which
/// they mean in their conditions.
/// </summary>
public static class FalcoTranslator
{
    private static readonly AuditStage[] AllStages = [AuditStage.RequestReceived, AuditStage.ResponseStarted, AuditStage.ResponseComplete, AuditStage.Panic];

    /// <summary>The comparisons Falco accepts in exceptions (its filter operators).</summary>
    private static readonly HashSet<string> FalcoComparisons =
        ["=", "==", "!=", "<", "<=", ">", ">=", "contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith", "glob", "iglob", "regex", "in", "intersects", "pmatch"];

    /// <summary>Reads and translates rule files, in order.</summary>
    public static FalcoTranslation TranslateFiles(IEnumerable<string> files)
    {
        var collector = new FalcoRuleCollector();
        foreach (var file in files)
        {
            collector.LoadFile(file);
        }

        return Translate(collector);
    }

    public static FalcoTranslation Translate(FalcoRuleCollector collector) => new Builder(collector).Build();

    private sealed class Builder : IFalcoNames
    {
        private readonly FalcoRuleCollector _collector;
        private readonly List<RuleDiagnostic> _diagnostics;
        private readonly Dictionary<string, (string CelName, List<string> Items)> _lists = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _macroNames = new(StringComparer.Ordinal);

        /// <summary>Translated macros by Falco name: the CEL condition, or null when translation failed.</summary>
        private readonly Dictionary<string, string?> _macros = new(StringComparer.Ordinal);
        private readonly HashSet<string> _translating = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
        private readonly FalcoConditionTranslator _conditions;

        public Builder(FalcoRuleCollector collector)
        {
            _collector = collector;
            _diagnostics = [.. collector.Diagnostics];
            _conditions = new FalcoConditionTranslator(this);
            _usedNames.UnionWith(ReservedNames());
        }

        public FalcoTranslation Build()
        {
            foreach (var list in _collector.Lists)
            {
                _lists[list.Name] = (Allocate(list.Name, "_list"), Expand(list, [list.Name]));
            }

            foreach (var macro in _collector.Macros)
            {
                _macroNames[macro.Name] = Allocate(macro.Name, "_macro");
            }

            var macros = new List<RuleMacro>();
            foreach (var macro in _collector.Macros)
            {
                if (TranslateMacro(macro) is { } condition)
                {
                    macros.Add(new RuleMacro(_macroNames[macro.Name], condition, macro.Location, macro.Condition.Pieces[0].Location));
                }
            }

            var rules = new List<RuleDefinition>();
            var priorities = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var rule in _collector.Rules)
            {
                if (TranslateRule(rule) is { } definition)
                {
                    rules.Add(definition);
                    priorities[rule.Name] = FalcoPriorities.Normalize(rule.Priority)!;
                }
            }

            var lists = _collector.Lists.Select(l => new RuleList(_lists[l.Name].CelName, _lists[l.Name].Items, l.Location)).ToList();
            return new FalcoTranslation(new RulePack(lists, macros, rules), _diagnostics, priorities) { RulesRead = _collector.Rules.Count };
        }

        /// <summary>A list's items with the lists it names (those defined before it) replaced by their items.</summary>
        private List<string> Expand(FalcoList list, HashSet<string> visiting)
        {
            var items = new List<string>();
            foreach (var item in list.Items)
            {
                var named = _collector.Lists.FirstOrDefault(l => l.Name == item);
                if (named is not null && named.Index < list.Visibility && visiting.Add(item))
                {
                    items.AddRange(Expand(named, visiting));
                    visiting.Remove(item);
                }
                else
                {
                    items.Add(item);
                }
            }

            return items;
        }

        public (string CelName, IReadOnlyList<string> Items)? FindList(string name) =>
            _lists.TryGetValue(name, out var list) ? (list.CelName, list.Items) : null;

        public string? FindMacro(string name, out string? problem)
        {
            problem = null;
            if (_collector.Macros.FirstOrDefault(m => m.Name == name) is not { } macro)
            {
                problem = $"undefined macro '{name}'";
                return null;
            }

            if (TranslateMacro(macro) is null)
            {
                problem = _translating.Contains(name) ? $"macro '{name}' refers to itself" : $"uses macro '{name}', which was not translated";
                return null;
            }

            return _macroNames[name];
        }

        /// <summary>A macro's condition as CEL (translated once, on first use); null when it has none.</summary>
        private string? TranslateMacro(FalcoMacro macro)
        {
            if (_macros.TryGetValue(macro.Name, out var done))
            {
                return done;
            }

            if (!_translating.Add(macro.Name))
            {
                return null;
            }

            string? condition = null;
            try
            {
                condition = _conditions.Translate(FalcoFilterParser.Parse(macro.Condition.Text));
            }
            catch (Exception ex) when (ex is FalcoSyntaxException or FalcoTranslationException)
            {
                Untranslated(macro.Condition.Locate(Offset(ex)), $"macro '{macro.Name}' not translated: {ex.Message}");
            }

            _translating.Remove(macro.Name);
            _macros[macro.Name] = condition;
            return condition;
        }

        private RuleDefinition? TranslateRule(FalcoRule rule)
        {
            if (rule.Source != FalcoPriorities.K8sAuditSource)
            {
                var why = rule.Source == FalcoPriorities.SyscallSource ? "source 'syscall' (the default when a rule names none)" : $"source '{rule.Source}'";
                Untranslated(rule.Location, $"rule '{rule.Name}' not translated: it has {why}; only k8s_audit rules read audit events");
                return null;
            }

            string condition;
            try
            {
                condition = _conditions.Translate(FalcoFilterParser.Parse(rule.Condition.Text));
            }
            catch (Exception ex) when (ex is FalcoSyntaxException or FalcoTranslationException)
            {
                Untranslated(rule.Condition.Locate(Offset(ex)), $"rule '{rule.Name}' not translated: {ex.Message}");
                return null;
            }

            var native = new List<RuleException>();
            var folded = new List<string>();
            foreach (var exception in rule.Exceptions.Where(e => e.Values.Count > 0))
            {
                try
                {
                    if (NativeException(exception) is { } kept)
                    {
                        native.Add(kept);
                    }
                    else
                    {
                        folded.Add(_conditions.Translate(ExceptionCondition(exception)));
                    }
                }
                catch (FalcoTranslationException ex)
                {
                    Untranslated(exception.Location, $"rule '{rule.Name}' not translated: exception '{exception.Name}': {ex.Message}");
                    return null;
                }
            }

            string output;
            try
            {
                output = FalcoOutputTranslator.Translate(rule.Output.Text);
            }
            catch (FalcoTranslationException ex)
            {
                Untranslated(rule.Output.Locate(ex.Offset), $"rule '{rule.Name}' not translated: {ex.Message}");
                return null;
            }

            // Falco adds each exception to the condition as "and not (…)"; those we cannot keep as exceptions go the same way.
            var full = folded.Count == 0 ? condition : $"({condition}) && {string.Join(" && ", folded.Select(f => $"!({f})"))}";
            return new RuleDefinition
            {
                Name = rule.Name,
                Description = rule.Description.Trim(),
                Severity = FalcoPriorities.ToSeverity(FalcoPriorities.Normalize(rule.Priority)!),
                Tags = rule.Tags,
                Stages = AllStages,
                Condition = full,
                Exceptions = native,
                Output = output,
                Enabled = rule.Enabled,
                Location = rule.Location,
                ConditionLocation = rule.Condition.Pieces[0].Location,
            };
        }

        /// <summary>
        /// The exception as one of ours, when every field is a catalog field, every comparison one
        /// <see cref="ExceptionComparisons"/> knows and every value a single literal; null otherwise.
        /// </summary>
        private RuleException? NativeException(FalcoException exception)
        {
            var (fields, comps, rows) = Shape(exception);
            var catalog = new List<string>();
            foreach (var field in fields)
            {
                if (FalcoFields.Resolve(field.Name, field.Argument, out _) is not GuardedValue { CatalogField: { } name, IsNumber: false } || field.Transformers.Count > 0)
                {
                    return null;
                }

                catalog.Add(name);
            }

            // "field in (a, b)": one row per value, each compared for equality (or as a path, for pmatch).
            if (exception.Fields is { IsList: false } && rows is [[{ Items: { } values }]])
            {
                if (values.Any(v => v.IsList || _lists.ContainsKey(v.Item!)))
                {
                    return null;
                }

                comps = [comps[0] == "pmatch" ? "pmatch" : "="];
                rows = values.Select(v => new List<FalcoEntry> { v }).ToList();
            }

            var cells = new List<IReadOnlyList<string>>();
            foreach (var row in rows)
            {
                if (row.Any(cell => cell.IsList) || row.Select((cell, i) => FalcoOperators.IsListOperator(comps[i]) && _lists.ContainsKey(cell.Item!)).Any(named => named))
                {
                    return null;
                }

                cells.Add(row.Select(cell => cell.Item!).ToList());
            }

            return comps.All(ExceptionComparisons.IsKnown) && catalog.All(f => FieldCatalog.Find(f) is not null)
                ? new RuleException(exception.Name, catalog, cells, exception.Location) { Comps = comps.All(c => c is "=" or "==") ? null : comps }
                : null;
        }

        /// <summary>
        /// Falco's two exception forms as one: with one field (not a list), the values are the items of
        /// a single <c>field comp (v1, v2, …)</c> row; with a list of fields, each value is a row.
        /// </summary>
        private static (List<FalcoFieldReference> Fields, List<string> Comps, List<List<FalcoEntry>> Rows) Shape(FalcoException exception)
        {
            var fieldsEntry = exception.Fields ?? throw new FalcoTranslationException("the exception has no fields", 0);
            if (!fieldsEntry.IsList)
            {
                var comp = exception.Comps?.Item ?? "in";
                if (exception.Comps is { IsList: true } || !FalcoOperators.IsListOperator(comp))
                {
                    throw new FalcoTranslationException("with a single field, comps must be one of in, pmatch or intersects", 0);
                }

                if (exception.Values.Any(v => v.IsList))
                {
                    throw new FalcoTranslationException("with a single field, values must be a list of strings", 0);
                }

                // One row whose only cell lists every value.
                return ([ParseField(fieldsEntry.Item!)], [comp], [[FalcoEntry.List(exception.Values)]]);
            }

            var fields = fieldsEntry.Items!.Select(f => ParseField(f.Item ?? throw new FalcoTranslationException("exception fields must be strings", 0))).ToList();
            var comps = exception.Comps is null
                ? fields.Select(_ => "=").ToList()
                : exception.Comps.Items?.Select(c => c.Item ?? string.Empty).ToList() ?? throw new FalcoTranslationException("with a list of fields, comps must be a list too", 0);
            if (comps.Count != fields.Count)
            {
                throw new FalcoTranslationException($"{fields.Count} fields but {comps.Count} comps", 0);
            }

            if (comps.FirstOrDefault(c => !FalcoComparisons.Contains(c)) is { } unknown)
            {
                throw new FalcoTranslationException($"'{unknown}' is not a Falco comparison operator", 0);
            }

            var rows = new List<List<FalcoEntry>>();
            foreach (var value in exception.Values)
            {
                if (value.Items is not { } cells || cells.Count != fields.Count)
                {
                    throw new FalcoTranslationException($"each value must be a list of {fields.Count} items, one per field", 0);
                }

                rows.Add([.. cells]);
            }

            return (fields, comps, rows);
        }

        private static FalcoFieldReference ParseField(string text)
        {
            try
            {
                return FalcoFilterParser.ParseField(text);
            }
            catch (FalcoSyntaxException ex)
            {
                throw new FalcoTranslationException(ex.Message, 0);
            }
        }

        /// <summary>
        /// The condition an exception excludes, as Falco writes it before compiling: rows joined by
        /// <c>or</c>, each the <c>and</c> of <c>field comp value</c>, where a list value (or any value with
        /// a list operator) is a parenthesized list, and a value with a space is one quoted string.
        /// </summary>
        private static FalcoExpr ExceptionCondition(FalcoException exception)
        {
            var (fields, comps, rows) = Shape(exception);
            var alternatives = rows.Select(row => (FalcoExpr)new FalcoAnd(
                row.Select((cell, i) => (FalcoExpr)new FalcoCheck(fields[i], comps[i] == "==" ? "=" : comps[i], Operand(cell, comps[i]), 0)).ToList(), 0)).ToList();
            return new FalcoOr(alternatives, 0);
        }

        private static FalcoOperand Operand(FalcoEntry cell, string comp)
        {
            if (cell.Items is { } items)
            {
                return new FalcoValueList(items.Select(i => Value(i.Item ?? string.Empty)).ToList(), 0);
            }

            return FalcoOperators.IsListOperator(comp)
                ? new FalcoValueList([new FalcoValue(cell.Item!, Quoted: false, 0)], 0)
                : Value(cell.Item!);
        }

        private static FalcoValue Value(string text) => new(text, Quoted: text.Contains(' ', StringComparison.Ordinal), 0);

        /// <summary>A CEL name for a list or macro: its own when free and valid, else with a suffix.</summary>
        private string Allocate(string name, string suffix)
        {
            var valid = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_'));
            if (valid.Length == 0 || char.IsAsciiDigit(valid[0]))
            {
                valid = "_" + valid;
            }

            var candidate = valid;
            for (var n = 2; !_usedNames.Add(candidate); n++)
            {
                candidate = candidate == valid ? valid + suffix : $"{valid}{suffix}{n}";
            }

            return candidate;
        }

        /// <summary>Names a list or macro cannot take: CEL's keywords and reserved words, and every catalog field and its first part.</summary>
        private static IEnumerable<string> ReservedNames()
        {
            string[] keywords = ["true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"];
            string[] namespaces = ["cel", "sets", "strings", "math", "base64", "optional", "has", "dyn", "type", "map", "list", "int", "uint", "double", "bool", "string", "bytes", "timestamp", "duration"];
            return keywords.Concat(namespaces)
                .Concat(FieldCatalog.All.SelectMany(f => new[] { f.Name, f.Name.Split('.')[0] }));
        }

        private static int Offset(Exception ex) => ex switch
        {
            FalcoSyntaxException syntax => syntax.Offset,
            FalcoTranslationException translation => translation.Offset,
            _ => 0,
        };

        private void Untranslated(SourceLocation at, string message) =>
            _diagnostics.Add(new RuleDiagnostic(at.File, at.Line, at.Column, RuleCodes.FalcoUntranslated, message, IsWarning: true));
    }
}
