using System.Globalization;
using Auditrail.Cli.Hosting;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary>A <c>--since</c> value: a fixed time, or a duration back from the latest event; neither when absent.</summary>
internal readonly record struct Since(DateTimeOffset? Time, TimeSpan? Duration)
{
    /// <summary>The start of the window; null (no bound) when absent, or for a duration when no request had a time.</summary>
    public DateTimeOffset? Resolve(DateTimeOffset? latest) => Duration is { } duration ? latest - duration : Time;
}

/// <summary>Reading audit logs into logged requests for the rbac verbs that learn from traffic (least-privilege, unused).</summary>
internal static class RbacLogs
{
    /// <summary>Reads every log; bad records are reported on stderr with their place and skipped.</summary>
    public static (LoggedRequestCollector Collector, ReadCounters Counters) Read(CliContext context, string[] paths, Func<RequestAttributes, bool>? keep, CancellationToken cancellationToken)
    {
        var collector = new LoggedRequestCollector(keep);
        var counters = new AuditLogReader().ReadPaths(paths, new Handler(context, collector), cancellationToken, context.OpenStdin);
        return (collector, counters);
    }

    /// <summary>
    /// Parses <c>--since</c> before the logs are read: an RFC 3339 time, or a duration (<c>30d</c>,
    /// <c>12h</c>, <c>90m</c>, <c>2w</c>) that <see cref="Since.Resolve"/> counts back from the latest
    /// event once they are, so an old log replays the same way on any day.
    /// </summary>
    public static bool TryParseSince(CliContext context, string? text, out Since since)
    {
        since = new Since(null, null);
        if (text is null)
        {
            return true;
        }

        if (TryParseDuration(text, out var duration))
        {
            since = new Since(null, duration);
            return true;
        }

        if (TimeOptions.TryParse(context, "--since", text, out var time))
        {
            since = new Since(time, null);
            return true;
        }

        context.Error.WriteLine("       or a duration counted back from the latest event, such as 30d, 12h, 90m or 2w");
        return false;
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        TimeSpan? unit = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            'w' => TimeSpan.FromDays(7),
            _ => null,
        };
        if (unit is null)
        {
            return false;
        }

        duration = unit.Value * amount;
        return true;
    }

    /// <summary>One line on stderr about events that carried no request to authorize (failed authentications and the like).</summary>
    public static void ReportSkipped(CliContext context, LoggedRequestCollector collector)
    {
        foreach (var (reason, count) in collector.Skipped.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            context.Error.WriteLine($"note: {count:N0} event(s) skipped: {reason}");
        }
    }

    private sealed class Handler(CliContext context, LoggedRequestCollector collector) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => collector.Add(auditEvent);

        public void OnDiagnostic(ReadDiagnostic diagnostic) => context.Error.WriteLine(diagnostic.ToString());
    }
}
