using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Needs;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.AuditPolicy.Simulation;

/// <summary>
/// Replays audit events through a policy: what it decides for each, how many events and bytes it keeps
/// (per level, per rule, per source), and, given what a rule pack needs, which needed events it loses.
/// Feed it events as an <see cref="IAuditEventHandler"/> and take <see cref="Report"/> at the end.
/// </summary>
/// <remarks>
/// The log holds only what its own policy recorded: a request it logged at Metadata cannot be sized at
/// RequestResponse (counted as recorded, see <see cref="SimulationReport.Raised"/>), and a stage it
/// omitted is estimated apart. Not thread-safe.
/// </remarks>
public sealed class PolicySimulator : IAuditEventHandler, IDisposable
{
    /// <summary>Distinct sources tracked; beyond this, new ones are counted together.</summary>
    public const int MaxSources = 200_000;

    /// <summary>Distinct terms tracked per new-terms rule; beyond this, new terms are not counted.</summary>
    public const int MaxTermsPerRule = 1_000_000;

    private const string NodeUserPrefix = "system:node:";

    private static readonly SourceKey Other = new("(other sources)", string.Empty, string.Empty);

    private readonly CompiledPolicy _policy;
    private readonly EventSizer _sizer = new();
    private readonly NeedsMatcher? _needs;
    private readonly List<RuleNeed> _needed = [];
    private readonly Dictionary<RuleNeed, RuleCoverage> _coverage = [];
    private readonly Dictionary<RuleNeed, Dictionary<string, bool>> _terms = [];
    private readonly Volume[] _beforeByLevel = new Volume[4];
    private readonly Volume[] _afterByLevel = new Volume[4];
    private readonly RuleVolume[] _byRule;
    private readonly Dictionary<SourceKey, SourceVolume> _sources = [];
    private readonly Action<AuditEvent, PolicyDecision>? _onEvent;
    private readonly Action<ReadDiagnostic>? _onDiagnostic;
    private Volume _before;
    private Volume _after;
    private long _stageOmitted;
    private long _raised;
    private long _requestReceivedRecorded;
    private Volume _requestReceivedExpected;

    /// <param name="policy">The policy to simulate.</param>
    /// <param name="needs">What a rule pack needs, for blind spots; null to skip them.</param>
    /// <param name="onEvent">Called with every event and its decision (for <c>--events</c>).</param>
    /// <param name="onDiagnostic">Called with every bad record the reader reports.</param>
    public PolicySimulator(CompiledPolicy policy, DetectionNeeds? needs = null, Action<AuditEvent, PolicyDecision>? onEvent = null, Action<ReadDiagnostic>? onDiagnostic = null)
    {
        _policy = policy;
        _onEvent = onEvent;
        _onDiagnostic = onDiagnostic;
        _byRule = [.. Enumerable.Range(-1, policy.Policy.Rules.Count + 1).Select(i => new RuleVolume(i))];
        if (needs is not null)
        {
            _needs = needs.CreateMatcher();
            foreach (var need in needs.Rules)
            {
                _coverage[need] = new RuleCoverage(need);
                if (need.Kind == NeedKind.Terms)
                {
                    _terms[need] = new Dictionary<string, bool>(StringComparer.Ordinal);
                }
            }
        }
    }

    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        var decision = _policy.Evaluate(auditEvent);
        var before = _sizer.Recorded(auditEvent);
        var after = _sizer.Decided(auditEvent, decision, before);
        var recorded = decision.Records(auditEvent.Stage);

        _before.Add(before);
        _beforeByLevel[(int)auditEvent.Level].Add(before);
        var rule = _byRule[decision.RuleIndex + 1];
        rule.Before.Add(before);
        if (recorded)
        {
            _after.Add(after);
            _afterByLevel[(int)decision.Level].Add(after);
            rule.After.Add(after);
            _raised += decision.Level > auditEvent.Level ? 1 : 0;
        }
        else if (decision.Level == AuditLevel.None)
        {
            _afterByLevel[(int)AuditLevel.None].Events++;
        }
        else
        {
            _stageOmitted++;
        }

        CountRequestReceived(auditEvent, decision);
        CountSource(auditEvent, decision, before, recorded ? after : -1);
        if (_needs is not null)
        {
            CountNeeds(auditEvent, decision);
        }

        _onEvent?.Invoke(auditEvent, decision);
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic) => _onDiagnostic?.Invoke(diagnostic);

    public SimulationReport Report(int topSources = 25)
    {
        foreach (var (need, terms) in _terms)
        {
            var coverage = _coverage[need];
            coverage.Needed = terms.Count;
            coverage.Kept = terms.Count(t => t.Value);
        }

        return new SimulationReport
        {
            Before = _before,
            After = _after,
            BeforeByLevel = Enum.GetValues<AuditLevel>().ToDictionary(l => l, l => _beforeByLevel[(int)l]),
            AfterByLevel = Enum.GetValues<AuditLevel>().ToDictionary(l => l, l => _afterByLevel[(int)l]),
            StageOmitted = _stageOmitted,
            ByRule = [.. _byRule.Skip(1), _byRule[0]],
            NoisiestSources = [.. _sources.Values.OrderByDescending(s => s.After.Bytes).ThenByDescending(s => s.Before.Bytes).Take(topSources)],
            Coverage = [.. _coverage.Values],
            Raised = _raised,
            MissingRequestReceived = _requestReceivedExpected.Events > _requestReceivedRecorded
                ? new Volume(_requestReceivedExpected.Events - _requestReceivedRecorded,
                    (long)(_requestReceivedExpected.Bytes * (1 - ((double)_requestReceivedRecorded / _requestReceivedExpected.Events))))
                : default,
        };
    }

    public void Dispose() => _sizer.Dispose();

    /// <summary>
    /// Every request ends in one ResponseComplete (or Panic) event; if the policy records RequestReceived
    /// for it and the log has fewer RequestReceived events than that, the difference is missing.
    /// </summary>
    private void CountRequestReceived(AuditEvent auditEvent, PolicyDecision decision)
    {
        if (!decision.Records(AuditStage.RequestReceived))
        {
            return;
        }

        if (auditEvent.Stage == AuditStage.RequestReceived)
        {
            _requestReceivedRecorded++;
        }
        else if (auditEvent.Stage is AuditStage.ResponseComplete or AuditStage.Panic)
        {
            // A RequestReceived event carries no bodies and no response status: about the metadata line.
            _requestReceivedExpected.Add(_sizer.Decided(auditEvent, decision with { Level = AuditLevel.Metadata, OmitStages = default }, _sizer.Recorded(auditEvent)));
        }
    }

    private void CountSource(AuditEvent auditEvent, PolicyDecision decision, long before, long after)
    {
        var key = SourceOf(auditEvent);
        if (!_sources.TryGetValue(key, out var source))
        {
            if (_sources.Count >= MaxSources)
            {
                key = Other;
                source = _sources.GetValueOrDefault(Other);
            }

            source ??= _sources[key] = new SourceVolume(key, decision.RuleIndex);
        }

        source.Before.Add(before);
        if (after >= 0)
        {
            source.After.Add(after);
        }
    }

    private static SourceKey SourceOf(AuditEvent e)
    {
        // Kubelets do the same things under one name each: one source for all of them reads better.
        var user = string.IsNullOrEmpty(e.UserName) ? "(unauthenticated)"
            : e.UserName.StartsWith(NodeUserPrefix, StringComparison.Ordinal) ? NodeUserPrefix + "*"
            : e.UserName;
        string target;
        if (e.HasObjectRef)
        {
            target = e.Resource ?? string.Empty;
            if (!string.IsNullOrEmpty(e.ApiGroup))
            {
                target = $"{target}.{e.ApiGroup}";
            }

            if (!string.IsNullOrEmpty(e.Subresource))
            {
                target = $"{target}/{e.Subresource}";
            }
        }
        else
        {
            var uri = e.RequestUri ?? string.Empty;
            var query = uri.IndexOf('?', StringComparison.Ordinal);
            target = query >= 0 ? uri[..query] : uri;
        }

        return new SourceKey(user, e.Verb ?? string.Empty, target);
    }

    private void CountNeeds(AuditEvent auditEvent, PolicyDecision decision)
    {
        _needed.Clear();
        _needs!.Match(auditEvent, _needed);
        foreach (var need in _needed)
        {
            var loss = LossOf(auditEvent, decision, need);
            var coverage = _coverage[need];
            if (need.Kind == NeedKind.Terms)
            {
                var terms = _terms[need];
                var term = need.TermOf(auditEvent);
                if (loss is null)
                {
                    if (terms.Count < MaxTermsPerRule || terms.ContainsKey(term))
                    {
                        terms[term] = true;
                    }
                }
                else if (terms.Count < MaxTermsPerRule && terms.TryAdd(term, false))
                {
                    Record(coverage, loss.Value, auditEvent);
                }

                continue;
            }

            coverage.Needed++;
            if (loss is null)
            {
                coverage.Kept++;
            }
            else
            {
                Record(coverage, loss.Value, auditEvent);
            }
        }
    }

    private static void Record(RuleCoverage coverage, Loss loss, AuditEvent auditEvent)
    {
        switch (loss)
        {
            case Loss.Dropped:
                coverage.Dropped++;
                break;
            case Loss.StageOmitted:
                coverage.StageOmitted++;
                break;
            default:
                coverage.TooLow++;
                break;
        }

        coverage.Example ??= $"{FieldCatalog.Target(auditEvent)} ({auditEvent.Verb} by {auditEvent.UserName ?? "no user"}, auditID {auditEvent.AuditId})";
    }

    /// <summary>Why the rule cannot see this event under the decision, or null when it can.</summary>
    internal static Loss? LossOf(AuditEvent auditEvent, PolicyDecision decision, RuleNeed need)
    {
        if (decision.Level == AuditLevel.None)
        {
            return Loss.Dropped;
        }

        // Omitting this stage loses nothing if the rule also reads another stage of the same request that the policy keeps.
        if (decision.OmitStages.Contains(auditEvent.Stage)
            && !need.Stages.Any(s => s != auditEvent.Stage && AlsoRecords(auditEvent, s) && !decision.OmitStages.Contains(s)))
        {
            return Loss.StageOmitted;
        }

        return decision.Level < need.Level ? Loss.TooLow : null;
    }

    /// <summary>
    /// Whether the request this event belongs to also has an event at <paramref name="stage"/>: every
    /// request that completes has RequestReceived and ResponseComplete, long-running ones (watch, exec,
    /// attach, port-forward, proxy) ResponseStarted too; a failed authentication is one ResponseStarted
    /// event and nothing else; a Panic is the end of its request. A Panic of another request never counts.
    /// </summary>
    internal static bool AlsoRecords(AuditEvent auditEvent, AuditStage stage)
    {
        var failedAuthentication = auditEvent.Stage == AuditStage.ResponseStarted && auditEvent.ResponseCode == 401 && string.IsNullOrEmpty(auditEvent.UserName);
        if (failedAuthentication || stage == AuditStage.Panic)
        {
            return false;
        }

        return stage switch
        {
            AuditStage.RequestReceived => true,
            AuditStage.ResponseComplete => auditEvent.Stage != AuditStage.Panic,
            _ => auditEvent.VerbUtf8.SequenceEqual("watch"u8) || auditEvent.Subresource is "exec" or "attach" or "portforward" or "proxy",
        };
    }
}
