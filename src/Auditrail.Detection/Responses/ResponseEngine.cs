using Auditrail.Detection.Engine;

namespace Auditrail.Detection.Responses;

/// <summary>
/// Turns alerts into actions under the guard rails of <see cref="ResponseOptions"/>: dry run unless told
/// otherwise, namespaces on an allow-list, cluster-scoped objects only with an explicit flag, one action per
/// (alert rule, action, target) per window, and a record of everything, skipped or not. A failing call is
/// recorded and never thrown: a response must not stop the alert pipeline.
/// </summary>
public sealed class ResponseEngine
{
    private readonly IReadOnlyList<ResponseRule> _rules;
    private readonly ResponseOptions _options;
    private readonly IResponseExecutor _executor;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string AlertRule, ResponseActionKind Action, string Target), DateTimeOffset> _lastActed = [];
    private readonly Queue<ResponseRecord> _records = new();

    public ResponseEngine(IReadOnlyList<ResponseRule> rules, ResponseOptions options, IResponseExecutor executor, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.RecordsInMemory);
        (_rules, _options, _executor, _time) = (rules, options, executor, time);
    }

    /// <summary>How many records could not be appended to the record file (they are still in <see cref="Records"/>).</summary>
    public int RecordFileErrors { get; private set; }

    /// <summary>The most recent records, oldest first.</summary>
    public IReadOnlyList<ResponseRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Runs every action of every response rule the alert matches; returns their records in order.</summary>
    public async Task<IReadOnlyList<ResponseRecord>> RespondAsync(Alert alert, CancellationToken cancellationToken)
    {
        var results = new List<ResponseRecord>();
        foreach (var rule in _rules.Where(r => r.Matches(alert)))
        {
            foreach (var action in rule.Actions)
            {
                var record = await RunAsync(rule, alert, action, cancellationToken).ConfigureAwait(false);
                Keep(record);
                results.Add(record);
            }
        }

        return results;
    }

    private async Task<ResponseRecord> RunAsync(ResponseRule rule, Alert alert, ResponseAction action, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var record = ResponseRecord.For(rule, alert, action, now);
        if (ResponseTarget.TryParse(record.Target, out var problem) is not { } target)
        {
            return record with { Detail = problem };
        }

        if (ResponseCall.Plan(action, target, out problem) is not { } call)
        {
            return record with { Detail = problem };
        }

        record = record with { Request = call.ToString() };
        if (target.Namespace is { } ns && !_options.AllowedNamespaces.Contains(ns))
        {
            return record with { Detail = $"namespace {ns} is not on the allow-list" };
        }

        if (target.IsClusterScoped && !_options.AllowClusterScoped)
        {
            return record with { Detail = $"{target} is cluster-scoped and cluster-scoped actions are not allowed" };
        }

        // Reserved before the call so two alerts arriving together cannot both act; released if the call fails,
        // so the next alert may try again.
        var key = (alert.Rule, action.Kind, target.ToString());
        lock (_gate)
        {
            if (_lastActed.TryGetValue(key, out var last) && now - last < _options.RepeatWindow)
            {
                return record with { Detail = $"already acted on {target} for {alert.Rule} at {last:O}, within the {_options.RepeatWindow} window" };
            }

            _lastActed[key] = now;
            ForgetExpired(now);
        }

        if (_options.DryRun)
        {
            return record with { Outcome = ResponseOutcome.DryRun };
        }

        try
        {
            await _executor.ExecuteAsync(call, cancellationToken).ConfigureAwait(false);
            return record with { Outcome = ResponseOutcome.Taken };
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                _lastActed.Remove(key);
            }

            return record with { Outcome = ResponseOutcome.Failed, Detail = KubernetesResponseExecutor.DescribeFailure(error) };
        }
    }

    /// <summary>Keeps the repeat table from growing with every target ever seen.</summary>
    private void ForgetExpired(DateTimeOffset now)
    {
        if (_lastActed.Count < 1024)
        {
            return;
        }

        foreach (var stale in _lastActed.Where(e => now - e.Value >= _options.RepeatWindow).Select(e => e.Key).ToList())
        {
            _lastActed.Remove(stale);
        }
    }

    private void Keep(ResponseRecord record)
    {
        lock (_gate)
        {
            _records.Enqueue(record);
            while (_records.Count > _options.RecordsInMemory)
            {
                _records.Dequeue();
            }

            if (_options.RecordFile is { } path)
            {
                try
                {
                    File.AppendAllText(path, record.ToJsonLine() + "\n");
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    // The record stays in memory; a full disk must not stop responses or alerts.
                    RecordFileErrors++;
                }
            }
        }
    }
}
