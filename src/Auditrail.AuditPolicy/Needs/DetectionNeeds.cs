using Auditrail.Cel;
using Auditrail.Cel.Syntax;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Rules;

namespace Auditrail.AuditPolicy.Needs;

/// <summary>How a rule uses the events it needs: each one counts, or only the distinct terms it learns.</summary>
public enum NeedKind
{
    /// <summary>Every matching event may raise an alert or count towards one: each must be logged.</summary>
    Events,

    /// <summary>A new-terms rule learns and alerts on distinct values: one logged event per term is enough.</summary>
    Terms,

    /// <summary>
    /// A rate rule compares an identity's hourly count with its usual one: every event counts, but a
    /// kind of request dropped for good lowers both sides alike, so a recommendation may drop it.
    /// </summary>
    Rate,
}

/// <summary>
/// What one detection rule needs of the audit log: the lowest level at which it works, the level at
/// which it reads everything it can (<see cref="FullLevel"/>), the stages it reads, and which requests.
/// </summary>
public sealed record RuleNeed(CompiledRule Rule, AuditLevel Level, NeedKind Kind, CelProgram Requests)
{
    public string Name => Rule.Definition.Name;

    /// <summary>Above <see cref="Level"/> when the rule tests the event's level to work with less (csr-approved tells approve from deny only with the body).</summary>
    public AuditLevel FullLevel { get; init; }

    public IReadOnlyList<AuditStage> Stages => Rule.Definition.Stages;

    /// <summary>Subresources the condition pins at its top level: null when it does not, empty when it requires none.</summary>
    public IReadOnlySet<string>? Subresources { get; init; }

    /// <summary>The fields whose values make a term (for <see cref="NeedKind.Terms"/>): the rule's by and fields.</summary>
    public IReadOnlyList<FieldDefinition> TermFields { get; init; } = [];

    /// <summary>The term an event brings a new-terms rule: its <see cref="TermFields"/> values, joined.</summary>
    public string TermOf(AuditEvent auditEvent) =>
        string.Join('\u001f', TermFields.Select(f => f.Extract(auditEvent) switch
        {
            null => string.Empty,
            string text => text,
            IEnumerable<string> list => string.Join(',', list),
            var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
        }));
}

/// <summary>
/// The requests a rule pack needs logged, and at what level: for every rule, the level its condition
/// (and exceptions and state) read at, and its condition with the body-dependent parts taken out,
/// compiled, so each event of a log can be asked "would a rule look at this request, and need its
/// body?". A rule that reads requestObject needs at Request every request its metadata part admits,
/// whatever the body turns out to hold: the policy decides before the body exists.
/// </summary>
public sealed class DetectionNeeds
{
    private const string RelaxedPrefix = "__auditrail_needs_";

    private DetectionNeeds(RuleSet rules, IReadOnlyList<RuleNeed> needs)
    {
        RuleSet = rules;
        Rules = needs;
    }

    public RuleSet RuleSet { get; }

    public IReadOnlyList<RuleNeed> Rules { get; }

    public static DetectionNeeds Analyze(RuleSet rules)
    {
        var named = rules.Named;
        var references = new BodyReferences(named);
        var relaxed = new Dictionary<string, Expr>(StringComparer.Ordinal);
        var environment = AuditCelEnvironment.Create();
        environment.NamedExpressions = name => relaxed.GetValueOrDefault(name) ?? named.GetValueOrDefault(name);
        var needs = new List<RuleNeed>();
        foreach (var rule in rules.Rules)
        {
            var definition = rule.Definition;
            var condition = Parser.Parse(definition.Condition).Expr!;

            // A sequence's own condition only narrows its steps: it needs what matches the condition and some step.
            if (definition.Sequence is { Steps.Count: > 0 } sequence && definition.Condition != StepsDisjunction(sequence))
            {
                var steps = sequence.Steps.Select(st => Parser.Parse(st.Condition).Expr!).Aggregate((a, b) => new CallExpr(0, 0, null, Operators.LogicalOr, [a, b]));
                condition = new CallExpr(0, 0, null, Operators.LogicalAnd, [condition, steps]);
            }

            var stepLevels = definition.Sequence?.Steps.Select(s => Parser.Parse(s.Condition).Expr is { } step ? references.LevelNeeded(step) : AuditLevel.Metadata) ?? [];
            var fieldLevels = StateFields(definition).Concat(definition.Exceptions.SelectMany(e => e.Fields)).Select(BodyReferences.LevelNeeded);
            var others = stepLevels.Concat(fieldLevels).DefaultIfEmpty(AuditLevel.Metadata).Max();
            var level = (AuditLevel)Math.Max((int)others, (int)references.MinimumLevel(condition));
            var fullLevel = (AuditLevel)Math.Max((int)others, (int)references.LevelNeeded(condition));

            // Compiled through a name, as a macro: the relaxed tree is an AST, not source text.
            var name = RelaxedPrefix + needs.Count;
            relaxed[name] = references.Relax(condition);
            var program = environment.Compile(name).Program
                ?? throw new InvalidOperationException($"rule '{definition.Name}': its condition without body reads does not compile");
            var kind = definition.NewTerms is not null ? NeedKind.Terms : definition.Rate is not null ? NeedKind.Rate : NeedKind.Events;
            needs.Add(new RuleNeed(rule, level, kind, program)
            {
                FullLevel = fullLevel,
                Subresources = SubresourcePins(condition, named),
                TermFields = definition.NewTerms is { } terms
                    ? [.. terms.By.Concat(terms.Fields).Select(f => FieldCatalog.Find(f) ?? throw new InvalidOperationException($"rule '{definition.Name}': unknown field {f}"))]
                    : [],
            });
        }

        return new DetectionNeeds(rules, needs);
    }

    /// <summary>A matcher for one thread.</summary>
    public NeedsMatcher CreateMatcher() => new(this);

    /// <summary>The condition the loader gives a sequence that has none of its own.</summary>
    private static string StepsDisjunction(RuleSequence sequence) => string.Join(" || ", sequence.Steps.Select(s => $"({s.Condition})"));

    private static IEnumerable<string> StateFields(RuleDefinition rule) =>
        (rule.Threshold?.By ?? []).Concat(rule.Distinct is { } d ? [d.Field, .. d.By] : [])
            .Concat(rule.Sequence?.By ?? []).Concat(rule.NewTerms is { } n ? [.. n.Fields, .. n.By] : []).Concat(rule.Rate?.By ?? []);

    /// <summary><c>objectRef.subresource == 'x'</c> or <c>in [...]</c> pins subresources; <c>!has(objectRef.subresource)</c> pins none.</summary>
    private static HashSet<string>? SubresourcePins(Expr condition, IReadOnlyDictionary<string, Expr> named)
    {
        const string field = "objectRef.subresource";
        HashSet<string>? pins = null;
        foreach (var term in RuleIndexKey.Conjuncts(condition, named, depth: 0))
        {
            var values = term is CallExpr { Target: null, Function: Operators.LogicalNot, Args: [SelectExpr { TestOnly: true } test] }
                && RuleIndexKey.Dotted(test with { TestOnly = false }) == field
                ? []
                : RuleIndexKey.Pinned(term, field, named);
            if (values is not null)
            {
                pins = pins is null ? values : [.. pins.Intersect(values)];
            }
        }

        return pins;
    }
}

/// <summary>
/// Finds, for one event, the rules that need it: rules for its stage (indexed by verb and resource as
/// the detection index does) whose metadata condition holds and that no exception exempts.
/// </summary>
/// <remarks>Not thread-safe: one per thread (the activation caches the current event's fields).</remarks>
public sealed class NeedsMatcher
{
    private readonly AuditEventActivation _activation;
    private readonly Dictionary<string, RuleNeed[]>[] _byVerb;
    private readonly RuleNeed[][] _anyVerb;

    internal NeedsMatcher(DetectionNeeds needs)
    {
        _activation = new AuditEventActivation(needs.RuleSet.Environment);
        var stages = Enum.GetValues<AuditStage>();
        _byVerb = new Dictionary<string, RuleNeed[]>[stages.Length];
        _anyVerb = new RuleNeed[stages.Length][];
        foreach (var stage in stages)
        {
            var forStage = needs.Rules.Where(r => r.Rule.IndexKey.Stages.Contains(stage)).ToList();
            _anyVerb[(int)stage] = [.. forStage.Where(r => r.Rule.IndexKey.Verbs is null)];
            _byVerb[(int)stage] = forStage.Where(r => r.Rule.IndexKey.Verbs is not null).SelectMany(r => r.Rule.IndexKey.Verbs!).Distinct(StringComparer.Ordinal)
                .ToDictionary(v => v, v => forStage.Where(r => r.Rule.IndexKey.Verbs is null || r.Rule.IndexKey.Verbs.Contains(v)).ToArray(), StringComparer.Ordinal);
        }
    }

    /// <summary>Appends the rules that need <paramref name="auditEvent"/>, in pack order.</summary>
    public void Match(AuditEvent auditEvent, List<RuleNeed> needed)
    {
        var stage = (int)auditEvent.Stage;
        var candidates = auditEvent.Verb is { } verb && _byVerb[stage].TryGetValue(verb, out var forVerb) ? forVerb : _anyVerb[stage];
        if (candidates.Length == 0)
        {
            return;
        }

        _activation.Reset(auditEvent);
        var resource = auditEvent.Resource;
        foreach (var need in candidates)
        {
            if (need.Rule.IndexKey.Resources is { } resources && (resource is null || !resources.Contains(resource)))
            {
                continue;
            }

            if (need.Requests.Evaluate(_activation).IsTrue && need.Rule.Exceptions?.Exempts(auditEvent) != true)
            {
                needed.Add(need);
            }
        }
    }
}
