using System.Buffers;
using System.Text.Json;
using Auditrail.AuditPolicy.Model;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// A policy ready to evaluate events with kube-apiserver's semantics (staging/src/k8s.io/apiserver/pkg/audit/policy/checker.go):
/// rules in order, the first that matches gives the level, no match gives None. A rule matches when
/// every selector it has holds: users (the user's name), userGroups (any of the user's groups), verbs,
/// and either namespaces and resources (resource requests; "" is cluster scope) or nonResourceURLs
/// (other requests). A request without a user (failed authentication) matches no rule that has users
/// or userGroups; anonymous requests have a user, system:anonymous in group system:unauthenticated.
/// </summary>
/// <remarks>
/// Each selector is precompiled into rule sets (bit masks) keyed by the values rules list, so an event
/// costs a few dictionary lookups on its UTF-8 bytes and a few ANDs, and allocates nothing. Thread-safe.
/// </remarks>
public sealed class CompiledPolicy
{
    private readonly int _words;
    private readonly PolicyDecision[] _decisions;
    private readonly PolicyDecision _noMatch;
    private readonly ulong[] _all;
    private readonly SelectorIndex _users;
    private readonly SelectorIndex _groups;
    private readonly SelectorIndex _verbs;
    private readonly SelectorIndex _namespaces;
    private readonly ResourceIndex _resources;
    private readonly UrlIndex _urls;
    private readonly ulong[] _resourceScope;
    private readonly ulong[] _nonResourceScope;

    private CompiledPolicy(Policy policy)
    {
        Policy = policy;
        var rules = policy.Rules;
        _words = RuleMask.Words(rules.Count);
        var policyOmits = ParseStages(policy.OmitStages);
        _noMatch = new PolicyDecision(AuditLevel.None, -1, policyOmits, policy.OmitManagedFields);
        _decisions = rules.Select(r => new PolicyDecision(
            r.ParsedLevel ?? throw new ArgumentException($"{r.Name} has no valid level; validate the policy first", nameof(policy)),
            r.Index,
            policyOmits.Union(ParseStages(r.OmitStages)),
            r.OmitManagedFields ?? policy.OmitManagedFields)).ToArray();
        _all = RuleMask.Of(_words, rules.Select(r => r.Index));
        _users = new SelectorIndex(rules, _words, r => r.Users);
        _groups = new SelectorIndex(rules, _words, r => r.UserGroups);
        _verbs = new SelectorIndex(rules, _words, r => r.Verbs);
        _namespaces = new SelectorIndex(rules, _words, r => r.Namespaces);
        _resources = new ResourceIndex(rules, _words);
        _urls = new UrlIndex(rules, _words);
        _resourceScope = RuleMask.Of(_words, rules.Where(r => !r.IsNonResourceScoped).Select(r => r.Index));
        _nonResourceScope = RuleMask.Of(_words, rules.Where(r => !r.IsResourceScoped).Select(r => r.Index));
    }

    public Policy Policy { get; }

    /// <summary>The decision for requests no rule matches: None, with the policy's own omitStages.</summary>
    public PolicyDecision NoMatch => _noMatch;

    /// <summary>Compiles a policy that has passed validation (every rule has a valid level and stages).</summary>
    public static CompiledPolicy Compile(Policy policy) => new(policy);

    /// <summary>What the policy does with the request this event records.</summary>
    public PolicyDecision Evaluate(AuditEvent auditEvent)
    {
        var request = new RequestAttributes(auditEvent);
        return Evaluate(request);
    }

    internal PolicyDecision Evaluate(in RequestAttributes request)
    {
        ulong[]? rented = null;
        var candidates = _words <= 16 ? stackalloc ulong[_words] : (rented = ArrayPool<ulong>.Shared.Rent(_words)).AsSpan(0, _words);
        try
        {
            var rule = FirstMatch(candidates, request);
            return rule < 0 ? _noMatch : _decisions[rule];
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    private int FirstMatch(Span<ulong> candidates, in RequestAttributes request)
    {
        _all.CopyTo(candidates);
        var hasUser = true;
        if (_users.IsUsed)
        {
            var user = request.User;
            hasUser = request.HasUser(user);
            RuleMask.AndInto(candidates, hasUser ? _users.Pass(user) : _users.Unconstrained);
        }

        if (_verbs.IsUsed)
        {
            RuleMask.AndInto(candidates, _verbs.Pass(request.Verb));
        }

        if (request.IsResourceRequest)
        {
            RuleMask.AndInto(candidates, _resourceScope);
            if (HasConstrained(candidates, _namespaces.Unconstrained))
            {
                RuleMask.AndInto(candidates, _namespaces.Pass(request.Namespace));
            }

            // Only rules with resources need the resource looked up.
            if (HasConstrained(candidates, _resources.Unconstrained))
            {
                Span<ulong> selected = stackalloc ulong[candidates.Length];
                _resources.Unconstrained.CopyTo(selected);
                _resources.AddMatches(selected, request);
                RuleMask.AndInto(candidates, selected);
            }
        }
        else
        {
            RuleMask.AndInto(candidates, _nonResourceScope);
            if (HasConstrained(candidates, _urls.Unconstrained))
            {
                Span<ulong> selected = stackalloc ulong[candidates.Length];
                _urls.Unconstrained.CopyTo(selected);
                _urls.AddMatches(selected, request.Path);
                RuleMask.AndInto(candidates, selected);
            }
        }

        // Groups last: they need the user's group list walked, which most candidates left do not need.
        if (HasConstrained(candidates, _groups.Unconstrained))
        {
            Span<ulong> selected = stackalloc ulong[candidates.Length];
            _groups.Unconstrained.CopyTo(selected);
            if (!_users.IsUsed)
            {
                hasUser = request.HasUser(request.User);
            }

            if (hasUser)
            {
                AddGroupMatches(selected, request.GroupsJson);
            }

            RuleMask.AndInto(candidates, selected);
        }

        return RuleMask.First(candidates);
    }

    /// <summary>True when some candidate is outside <paramref name="unconstrained"/>, i.e. uses the selector.</summary>
    private static bool HasConstrained(ReadOnlySpan<ulong> candidates, ReadOnlySpan<ulong> unconstrained)
    {
        for (var i = 0; i < candidates.Length; i++)
        {
            if ((candidates[i] & ~unconstrained[i]) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds the rules listing any of the user's groups. The array holds plain strings, so its items are
    /// what lies between quotes; one with an escape sends the whole array through the JSON reader.
    /// </summary>
    private void AddGroupMatches(Span<ulong> target, ReadOnlySpan<byte> groupsJson)
    {
        var rest = groupsJson;
        while (rest.IndexOf((byte)'"') is >= 0 and var open)
        {
            rest = rest[(open + 1)..];
            var close = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (close < 0 || rest[close] == '\\')
            {
                AddEscapedGroupMatches(target, groupsJson);
                return;
            }

            _groups.AddListing(target, rest[..close]);
            rest = rest[(close + 1)..];
        }
    }

    private void AddEscapedGroupMatches(Span<ulong> target, ReadOnlySpan<byte> groupsJson)
    {
        var reader = new Utf8JsonReader(groupsJson);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                _groups.AddListing(target, System.Text.Encoding.UTF8.GetBytes(reader.GetString()!));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static StageSet ParseStages(IEnumerable<string> names) => StageSet.Of(names.Select(name =>
        PolicyNames.TryParseStage(name, out var stage) ? stage : throw new ArgumentException($"'{name}' is not a stage; validate the policy first", nameof(names))));
}
