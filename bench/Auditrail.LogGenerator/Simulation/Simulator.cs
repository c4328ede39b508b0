using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;

namespace Auditrail.LogGenerator.Simulation;

/// <summary>
/// A discrete-event simulation in microseconds. Traffic sources are scripts (iterators that yield how long to
/// wait before their next step); each step submits requests, and each request schedules its stages. Stages are
/// released in time order, and a stage is only released once no source can still act before it, so the
/// stageTimestamps come out non-decreasing without buffering the log.
/// </summary>
internal sealed class Simulator
{
    private readonly PriorityQueue<Script, Due> _scripts = new();
    private readonly PriorityQueue<PendingStage, Due> _pending = new();
    private readonly Stack<AuditRequest> _pool = new();
    private Script? _current;
    private long _sequence;
    private long _resourceVersion;
    private int _scenarios;

    public Simulator(GeneratorOptions options)
    {
        Options = options;
        Rng = new Rng(unchecked((ulong)options.Seed));
        Now = MicroTime.FromDateTimeOffset(options.Start);
        Cluster = new ClusterModel(options, Rng, Now);
        _resourceVersion = Rng.NextLong(1_000_000, 90_000_000);
    }

    public GeneratorOptions Options { get; }

    public Rng Rng { get; }

    public ClusterModel Cluster { get; }

    /// <summary>The simulated time of the step being run.</summary>
    public long Now { get; private set; }

    /// <summary>Events scheduled so far, and how many of them belong to attacks; the attack scheduler steers by these.</summary>
    public long ScheduledEvents { get; private set; }

    public long ScheduledAttackEvents { get; private set; }

    public int ActiveAttacks { get; private set; }

    public void Start(IEnumerable<long> script, long delayMicros = 0) => Enqueue(new Script(script.GetEnumerator(), null, 0), Now + delayMicros);

    /// <summary>Starts an attack scenario; requests its steps make are marked with the kind and a scenario number.</summary>
    public void StartAttack(IEnumerable<long> script, AttackKind kind)
    {
        ActiveAttacks++;
        Enqueue(new Script(script.GetEnumerator(), kind, ++_scenarios), Now);
    }

    /// <summary>A new etcd revision; every successful write takes one.</summary>
    public long NextResourceVersion() => _resourceVersion += Rng.Next(1, 40);

    public long CurrentResourceVersion => _resourceVersion;

    /// <summary>A request for a resource, allowed by the caller's usual binding; sources adjust it, then Submit it.</summary>
    public AuditRequest Request(
        Identity? user, string verb, ApiResource resource, string? ns, string? name = null, string? subresource = null, string query = "")
    {
        var r = Rent(user);
        r.Verb = verb;
        r.Resource = resource;
        r.Namespace = resource == Api.Namespaces ? name : ns;
        r.Name = name;
        r.Subresource = subresource;
        r.RequestUri = RequestUris.Build(resource, resource.Namespaced ? ns : null, name, subresource, query);
        r.Code = verb == Verbs.Create && subresource is null or "binding" or "eviction" or "token" ? 201 : 200;
        return r;
    }

    /// <summary>A request for a non-resource URL such as /healthz or /api; it has no objectRef.</summary>
    public AuditRequest PathRequest(Identity? user, string path, string verb = Verbs.Get)
    {
        var r = Rent(user);
        r.Verb = verb;
        r.RequestUri = path;
        r.Code = 200;
        if (user is not null && !user.IsPrivileged && user.Traffic != TrafficKind.Node)
        {
            r.Reason = user.Traffic == TrafficKind.Anonymous ? ClusterModel.PublicInfoReason : ClusterModel.DiscoveryReason;
        }

        return r;
    }

    /// <summary>Settles level, stages and timing, and schedules the request's events.</summary>
    public void Submit(AuditRequest r)
    {
        r.Level = SimulatedPolicy.LevelFor(r, Cluster);
        r.EmitRequestReceived = Options.EmitRequestReceived && !r.FailedAuthentication && SimulatedPolicy.KeepsRequestReceived(r);
        if (r.LatencyMicros == 0)
        {
            r.LatencyMicros = Latency.Sample(r, Rng);
        }

        Latency.Annotate(r);
        if (!r.Failed && Verbs.IsWrite(r.Verb))
        {
            r.NewResourceVersion = NextResourceVersion();
        }

        r.LongRunning = !r.Failed && Latency.IsLongRunning(r);
        r.Panics = !r.LongRunning && !r.Failed && !r.FailedAuthentication && Options.PanicShare > 0 && Rng.Chance(Options.PanicShare);
        var start = r.ReceivedMicros;
        if (r.FailedAuthentication)
        {
            Schedule(r, AuditStage.ResponseStarted, start + r.LatencyMicros);
        }
        else
        {
            if (r.EmitRequestReceived)
            {
                Schedule(r, AuditStage.RequestReceived, start);
            }

            if (r.LongRunning)
            {
                if (r.DurationMicros == 0)
                {
                    r.DurationMicros = Latency.SampleDuration(r, Rng);
                }

                Schedule(r, AuditStage.ResponseStarted, start + Math.Min(r.LatencyMicros, r.DurationMicros));
                Schedule(r, AuditStage.ResponseComplete, start + r.DurationMicros);
            }
            else
            {
                Schedule(r, r.Panics ? AuditStage.Panic : AuditStage.ResponseComplete, start + r.LatencyMicros);
            }
        }
    }

    /// <summary>Runs scripts until the earliest pending stage can no longer be preceded, and returns it.</summary>
    public PendingStage NextStage(out long stageMicros)
    {
        while (true)
        {
            var nextScript = _scripts.TryPeek(out _, out var scriptDue) ? scriptDue.Micros : long.MaxValue;
            if (_pending.TryPeek(out var stage, out var due) && due.Micros <= nextScript)
            {
                _pending.Dequeue();
                stageMicros = due.Micros;
                return stage;
            }

            if (nextScript == long.MaxValue)
            {
                throw new InvalidOperationException("The simulation ran out of traffic sources.");
            }

            Step();
        }
    }

    /// <summary>Returns a request to the pool after its last stage has been written.</summary>
    public void Complete(AuditRequest r)
    {
        if (--r.PendingStages == 0)
        {
            r.Reset();
            _pool.Push(r);
        }
    }

    private void Step()
    {
        if (!_scripts.TryDequeue(out var script, out var due))
        {
            throw new InvalidOperationException("No script to run.");
        }

        Now = due.Micros;
        _current = script;
        var more = script.Steps.MoveNext();
        _current = null;
        if (more)
        {
            // Scripts think in whole milliseconds and seconds; clocks and networks do not.
            var delay = script.Steps.Current;
            Enqueue(script, Now + (delay <= 0 ? 0 : delay + Rng.Next(0, 1000)));
            return;
        }

        script.Steps.Dispose();
        if (script.Attack is not null)
        {
            ActiveAttacks--;
        }
    }

    private void Enqueue(Script script, long micros) => _scripts.Enqueue(script, new Due(micros, _sequence++));

    private void Schedule(AuditRequest r, AuditStage stage, long micros)
    {
        r.PendingStages++;
        ScheduledEvents++;
        if (r.Attack is not null)
        {
            ScheduledAttackEvents++;
        }

        _pending.Enqueue(new PendingStage(r, stage), new Due(micros, _sequence++));
    }

    private AuditRequest Rent(Identity? user)
    {
        var r = _pool.Count > 0 ? _pool.Pop() : new AuditRequest();
        r.AuditId = Rng.NextUuid();
        r.User = user;
        r.Traffic = user?.Traffic ?? TrafficKind.Anonymous;
        r.SourceIpsJson = user?.SourceIpsJson ?? [];
        r.Reason = user?.AllowReason ?? "";
        r.ReceivedMicros = Now;
        if (_current?.Attack is { } attack)
        {
            r.Attack = attack;
            r.Scenario = _current.Scenario;
            r.Traffic = TrafficKind.Attack;
        }

        return r;
    }

    private sealed class Script(IEnumerator<long> steps, AttackKind? attack, int scenario)
    {
        public IEnumerator<long> Steps { get; } = steps;

        public AttackKind? Attack { get; } = attack;

        public int Scenario { get; } = scenario;
    }
}

internal readonly record struct PendingStage(AuditRequest Request, AuditStage Stage);

/// <summary>Due time, then submission order: equal times keep their order, so runs are reproducible.</summary>
internal readonly record struct Due(long Micros, long Sequence) : IComparable<Due>
{
    public int CompareTo(Due other) => Micros != other.Micros ? Micros.CompareTo(other.Micros) : Sequence.CompareTo(other.Sequence);
}
