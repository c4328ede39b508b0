using System.Globalization;
using Auditrail.Core.Model;

namespace Auditrail.Cli.Hosting;

/// <summary>The <c>--since</c>/<c>--until</c> options shared by commands that replay logs.</summary>
internal static class TimeOptions
{
    public static bool TryParse(CliContext context, string option, string? text, out DateTimeOffset? time)
    {
        time = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        context.Error.WriteLine($"error: {option} '{text}' is not an RFC 3339 time such as 2024-05-01T10:00:00Z");
        return false;
    }

    /// <summary>True when the event falls in [since, until); events without a time pass when no bound is set.</summary>
    public static bool InRange(AuditEvent auditEvent, DateTimeOffset? since, DateTimeOffset? until) =>
        !((since is { } from && auditEvent.Time < from) || (until is { } to && auditEvent.Time >= to));
}
