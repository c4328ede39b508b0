using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Simulation;
using Auditrail.LogGenerator.Traffic;
using Auditrail.LogGenerator.Writing;

namespace Auditrail.LogGenerator;

/// <summary>
/// Writes realistic kube-apiserver audit logs (audit.k8s.io/v1 Events, one JSON object per line, as the log
/// backend writes them) for a simulated cluster. Deterministic: the same options always produce the same
/// bytes; nothing reads the clock.
/// </summary>
public sealed class AuditLogGenerator
{
    /// <summary>How often <c>progress</c> hears about the events written so far.</summary>
    public const int ProgressInterval = 1 << 16;

    private readonly GeneratorOptions _options;

    public AuditLogGenerator(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid generator options: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
    }

    /// <summary>Counts for the most recent <see cref="Write"/>; empty before the first.</summary>
    public GeneratorStats Stats { get; private set; } = new();

    /// <summary>
    /// Writes <paramref name="eventCount"/> events to <paramref name="output"/> as UTF-8 JSON lines (no BOM, each
    /// ending in '\n'). Every call starts the simulation afresh, so repeated calls write the same bytes.
    /// </summary>
    /// <param name="attackLabels">When given, receives one JSON line per attack request written (auditID, kind, scenario).</param>
    /// <param name="progress">When given, hears the number of events written every <see cref="ProgressInterval"/> events and at the end.</param>
    public void Write(Stream output, long eventCount, Stream? attackLabels = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(eventCount);
        var stats = new GeneratorStats();
        var sim = new Simulator(_options);
        TrafficPlan.Install(sim);
        var buffer = new OutputBuffer(output);
        var writer = new EventWriter(buffer);
        var scenarios = new HashSet<int>();
        using var labels = attackLabels is null ? null : new LabelWriter(attackLabels);
        for (var written = 0L; written < eventCount; written++)
        {
            var (request, stage) = sim.NextStage(out var stageMicros);
            writer.Write(request, stage, stageMicros);
            var first = !request.Written;
            request.Written = true;
            var firstOfScenario = request.Attack is not null && scenarios.Add(request.Scenario);
            if (first && request.Attack is not null)
            {
                labels?.Write(request);
            }

            stats.Record(request, stage, stageMicros, first, firstOfScenario);
            sim.Complete(request);
            if (progress is not null && (written + 1) % ProgressInterval == 0)
            {
                progress.Report(written + 1);
            }
        }

        buffer.Flush();
        stats.Bytes = buffer.TotalBytes;
        Stats = stats;
        progress?.Report(eventCount);
    }
}
