using Auditrail.Core.Model;
using Auditrail.Rbac.Authorization;

namespace Auditrail.Rbac.AuditLog;

/// <summary>
/// Gathers the distinct requests of audit logs, one per request: the stages of a request share an
/// auditID and are counted once, with the outcome read from the most complete stage
/// (ResponseComplete or Panic, then ResponseStarted, then RequestReceived). Each event yields the
/// request its identity made and, when it was made through impersonation, the <c>impersonate</c>
/// checks its impersonator passed. <paramref name="keep"/> picks the requests to keep (all when null).
/// <para>
/// Memory: one small entry per kept request (its auditID, indexes, outcome and time) plus one per
/// distinct request, so a window of millions of requests fits, which a buffer of the events would not.
/// </para>
/// </summary>
public sealed class LoggedRequestCollector(Func<RequestAttributes, bool>? keep = null)
{
    private readonly Dictionary<string, int> _entryByAuditId = new(StringComparer.Ordinal);
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<RequestKey, int> _keyIndex = [];
    private readonly List<RequestAttributes> _distinct = [];
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);

    /// <summary>Events read (every stage), including those skipped.</summary>
    public long Events { get; private set; }

    /// <summary>Why events carried no request to authorize, with how many (failed authentications have no user).</summary>
    public IReadOnlyDictionary<string, int> Skipped => _skipped;

    /// <summary>The time of the latest event read, kept or not: what a relative window such as <c>--since 30d</c> counts back from.</summary>
    public DateTimeOffset? Latest { get; private set; }

    public void Add(AuditEvent auditEvent)
    {
        Events++;
        var time = auditEvent.RequestReceivedTimestamp ?? auditEvent.Time;
        if (time is { } t && (Latest is null || t > Latest))
        {
            Latest = t;
        }

        var rank = StageRank(auditEvent.Stage);
        var auditId = auditEvent.AuditId;
        if (!string.IsNullOrEmpty(auditId) && _entryByAuditId.TryGetValue(auditId, out var existing))
        {
            // Another stage of a request already seen: its attributes are the same; only a later stage knows the answer.
            var entry = _entries[existing];
            if (rank > entry.Rank)
            {
                entry.Rank = rank;
                entry.Outcome = OutcomeOf(auditEvent);
            }

            return;
        }

        var request = AuditRequestMapper.Map(auditEvent, out var problem);
        if (request is null)
        {
            _skipped[problem!] = _skipped.GetValueOrDefault(problem!) + 1;
            return;
        }

        var keys = new List<int>(1);
        if (keep is null || keep(request))
        {
            keys.Add(Intern(request));
        }

        var impersonationKeys = new List<int>();
        foreach (var check in AuditRequestMapper.ImpersonationChecks(auditEvent))
        {
            if (keep is null || keep(check))
            {
                impersonationKeys.Add(Intern(check));
            }
        }

        if (keys.Count == 0 && impersonationKeys.Count == 0)
        {
            // Nothing kept: no entry, so a filtered run holds only its identity's requests; another
            // stage of this request maps to nothing kept again.
            return;
        }

        if (!string.IsNullOrEmpty(auditId))
        {
            _entryByAuditId[auditId] = _entries.Count;
        }

        _entries.Add(new Entry([.. keys], [.. impersonationKeys], rank, OutcomeOf(auditEvent), time));
    }

    /// <summary>
    /// The distinct requests made in [<paramref name="since"/>, <paramref name="until"/>), sorted by
    /// user, then resource requests by group, resource, namespace, name and verb, then paths. A
    /// request without a time is kept only when no bound is set.
    /// </summary>
    public IReadOnlyList<LoggedRequest> Requests(DateTimeOffset? since = null, DateTimeOffset? until = null)
    {
        var tallies = new Dictionary<(int Key, RequestOutcome Outcome), Tally>();
        foreach (var entry in _entries)
        {
            if (!InWindow(entry.Time, since, until))
            {
                continue;
            }

            foreach (var key in entry.Keys)
            {
                Count(tallies, key, entry.Outcome, entry.Time);
            }

            // The impersonation filter let the request through, or the event would name no impersonated user.
            foreach (var key in entry.ImpersonationKeys)
            {
                Count(tallies, key, RequestOutcome.Allowed, entry.Time);
            }
        }

        return [.. tallies
            .Select(p => new LoggedRequest(_distinct[p.Key.Key], p.Key.Outcome, p.Value.Count, p.Value.First, p.Value.Last))
            .OrderBy(r => r.Attributes, RequestOrder.Instance)
            .ThenBy(r => r.Outcome)];
    }

    private static void Count(Dictionary<(int, RequestOutcome), Tally> tallies, int key, RequestOutcome outcome, DateTimeOffset? time)
    {
        if (!tallies.TryGetValue((key, outcome), out var tally))
        {
            tallies[(key, outcome)] = tally = new Tally();
        }

        tally.Count++;
        if (time is { } t)
        {
            tally.First = tally.First is { } f && f <= t ? f : t;
            tally.Last = tally.Last is { } l && l >= t ? l : t;
        }
    }

    private static bool InWindow(DateTimeOffset? time, DateTimeOffset? since, DateTimeOffset? until) =>
        time is { } t ? !(since is { } from && t < from || until is { } to && t >= to) : since is null && until is null;

    private int Intern(RequestAttributes request)
    {
        var key = new RequestKey(request.User, string.Join('\n', request.Groups), request.Verb, request.ApiGroup, request.Resource,
            request.Subresource, request.Name, request.Namespace, request.IsResourceRequest, request.Path);
        if (!_keyIndex.TryGetValue(key, out var index))
        {
            _keyIndex[key] = index = _distinct.Count;
            _distinct.Add(request);
        }

        return index;
    }

    private static int StageRank(AuditStage stage) => stage switch
    {
        AuditStage.ResponseComplete or AuditStage.Panic => 3,
        AuditStage.ResponseStarted => 2,
        _ => 1,
    };

    /// <summary>
    /// The authorization decision annotation when the apiserver wrote one (1.11 and later); otherwise
    /// a 403 counts as denied, although admission can also answer 403, because old logs say no more.
    /// </summary>
    private static RequestOutcome OutcomeOf(AuditEvent auditEvent)
    {
        if (auditEvent.AuthorizationDecision is { } decision)
        {
            return decision == "forbid" ? RequestOutcome.Denied : RequestOutcome.Allowed;
        }

        if (auditEvent.Stage == AuditStage.RequestReceived)
        {
            return RequestOutcome.Unknown;
        }

        return auditEvent.ResponseCode == 403 ? RequestOutcome.Denied : RequestOutcome.Allowed;
    }

    private sealed class Entry(int[] keys, int[] impersonationKeys, int rank, RequestOutcome outcome, DateTimeOffset? time)
    {
        public int[] Keys { get; } = keys;
        public int[] ImpersonationKeys { get; } = impersonationKeys;
        public int Rank { get; set; } = rank;
        public RequestOutcome Outcome { get; set; } = outcome;
        public DateTimeOffset? Time { get; } = time;
    }

    private sealed class Tally
    {
        public int Count { get; set; }
        public DateTimeOffset? First { get; set; }
        public DateTimeOffset? Last { get; set; }
    }

    private readonly record struct RequestKey(string User, string Groups, string Verb, string ApiGroup, string Resource, string Subresource,
        string Name, string Namespace, bool IsResource, string Path);
}
