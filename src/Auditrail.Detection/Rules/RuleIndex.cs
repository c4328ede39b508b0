using Auditrail.Cel.Runtime;
using Auditrail.Cel.Syntax;
using Auditrail.Core.Model;

namespace Auditrail.Detection.Rules;

/// <summary>
/// What a rule requires of an event before its condition can be true: stages (from the rule, narrowed
/// by a condition that pins <c>stage</c>), and verbs and resources when the condition's top-level
/// conjunction pins them (<c>verb == 'create'</c>, <c>objectRef.resource in ['pods', …]</c>, through
/// macros and lists). Null means any.
/// </summary>
public sealed record RuleIndexKey(IReadOnlySet<AuditStage> Stages, IReadOnlySet<string>? Verbs, IReadOnlySet<string>? Resources)
{
    public static RuleIndexKey From(RuleDefinition rule, Expr condition, IReadOnlyDictionary<string, Expr> named)
    {
        HashSet<string>? verbs = null;
        HashSet<string>? resources = null;
        var stages = rule.Stages.ToHashSet();
        foreach (var conjunct in Conjuncts(condition, named, depth: 0))
        {
            if (Pinned(conjunct, "stage", named) is { } s)
            {
                // Imported Falco rules consider every stage and say which they mean in the condition.
                stages.IntersectWith(Enum.GetValues<AuditStage>().Where(stage => s.Contains(stage.ToWireName())));
            }
            else if (Pinned(conjunct, "verb", named) is { } v)
            {
                verbs = verbs is null ? v : [.. verbs.Intersect(v)];
            }
            else if (Pinned(conjunct, "objectRef.resource", named) is { } r)
            {
                resources = resources is null ? r : [.. resources.Intersect(r)];
            }
        }

        return new RuleIndexKey(stages, verbs, resources);
    }

    /// <summary>The terms of a top-level <c>&amp;&amp;</c> chain, looking through macro names.</summary>
    public static IEnumerable<Expr> Conjuncts(Expr expr, IReadOnlyDictionary<string, Expr> named, int depth)
    {
        if (depth > 32)
        {
            yield break;
        }

        switch (expr)
        {
            case CallExpr { Function: Operators.LogicalAnd, Target: null } and:
                foreach (var arg in and.Args)
                {
                    foreach (var term in Conjuncts(arg, named, depth + 1))
                    {
                        yield return term;
                    }
                }

                break;
            case IdentExpr ident when named.TryGetValue(ident.Name, out var body):
                foreach (var term in Conjuncts(body, named, depth + 1))
                {
                    yield return term;
                }

                break;
            default:
                yield return expr;
                break;
        }
    }

    /// <summary>The values <paramref name="field"/> must have for the term to hold: <c>field == 'x'</c> or <c>field in [...]</c>.</summary>
    public static HashSet<string>? Pinned(Expr term, string field, IReadOnlyDictionary<string, Expr> named)
    {
        if (term is not CallExpr { Target: null, Args.Count: 2 } call)
        {
            return null;
        }

        var (left, right) = (call.Args[0], call.Args[1]);
        switch (call.Function)
        {
            case Operators.Equal when Names(left, field) && right is ConstExpr { Value.Kind: CelKind.String } c:
                return [c.Value.AsString];
            case Operators.Equal when Names(right, field) && left is ConstExpr { Value.Kind: CelKind.String } c:
                return [c.Value.AsString];
            case Operators.In when Names(left, field):
                var list = right is IdentExpr ident && named.TryGetValue(ident.Name, out var body) ? body : right;
                return list is ListExpr { OptionalIndices.Count: 0 } l && l.Elements.All(e => e is ConstExpr { Value.Kind: CelKind.String })
                    ? l.Elements.Select(e => ((ConstExpr)e).Value.AsString).ToHashSet(StringComparer.Ordinal)
                    : null;
            default:
                return null;
        }
    }

    private static bool Names(Expr expr, string dotted) => Dotted(expr) == dotted;

    /// <summary>The dotted field name an expression reads (<c>objectRef.subresource</c>), or null when it is not a plain field read.</summary>
    public static string? Dotted(Expr expr) => expr switch
    {
        IdentExpr ident => ident.Name,
        SelectExpr { TestOnly: false, Optional: false } select when Dotted(select.Operand) is { } prefix => $"{prefix}.{select.Field}",
        _ => null,
    };
}

/// <summary>Rules by stage and verb, so an event is tested only against rules that can match it.</summary>
internal sealed class RuleIndex
{
    private readonly Dictionary<string, Bucket>[] _byVerb;
    private readonly Bucket[] _anyVerb;

    /// <summary>
    /// Rules for one stage and verb, already narrowed for every resource some rule pins; any other
    /// resource meets only the rules that pin none. Built once, so an event costs two lookups.
    /// </summary>
    private sealed class Bucket
    {
        private readonly Dictionary<string, CompiledRule[]> _byResource;
        private readonly CompiledRule[] _unpinned;

        public Bucket(CompiledRule[] rules)
        {
            _unpinned = rules.Where(r => r.IndexKey.Resources is null).ToArray();
            _byResource = rules.Where(r => r.IndexKey.Resources is not null).SelectMany(r => r.IndexKey.Resources!).Distinct(StringComparer.Ordinal)
                .ToDictionary(resource => resource, resource => rules.Where(r => r.IndexKey.Resources is null || r.IndexKey.Resources.Contains(resource)).ToArray(), StringComparer.Ordinal);
        }

        public CompiledRule[] For(AuditEvent auditEvent) =>
            _byResource.Count > 0 && auditEvent.Resource is { } resource && _byResource.TryGetValue(resource, out var rules) ? rules : _unpinned;
    }

    public RuleIndex(IReadOnlyList<CompiledRule> rules)
    {
        var stages = Enum.GetValues<AuditStage>();
        _byVerb = new Dictionary<string, Bucket>[stages.Length];
        _anyVerb = new Bucket[stages.Length];
        foreach (var stage in stages)
        {
            var forStage = rules.Where(r => r.IndexKey.Stages.Contains(stage)).ToList();
            var any = forStage.Where(r => r.IndexKey.Verbs is null).ToArray();
            var verbs = forStage.Where(r => r.IndexKey.Verbs is not null).SelectMany(r => r.IndexKey.Verbs!).Distinct(StringComparer.Ordinal);

            // Each verb's list keeps the pack's rule order, so alerts come out in a stable order.
            _byVerb[(int)stage] = verbs.ToDictionary(v => v, v => new Bucket(forStage.Where(r => r.IndexKey.Verbs is null || r.IndexKey.Verbs.Contains(v)).ToArray()), StringComparer.Ordinal);
            _anyVerb[(int)stage] = new Bucket(any);
        }
    }

    public IReadOnlyList<CompiledRule> Candidates(AuditEvent auditEvent)
    {
        var stage = (int)auditEvent.Stage;
        var byVerb = _byVerb[stage];
        var bucket = byVerb.Count > 0 && auditEvent.Verb is { } verb && byVerb.TryGetValue(verb, out var matched) ? matched : _anyVerb[stage];
        return bucket.For(auditEvent);
    }
}
