using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Engine;

/// <summary>
/// One detection: which rule, how severe, when (event time), who (the effective identity and, when
/// impersonating, who did it), against what, from where, and the audit IDs to look the request up by.
/// </summary>
public sealed record Alert
{
    /// <summary>
    /// A stable identifier given by the producer when the alert is durably recorded (the serve pipeline
    /// uses <c>SEQUENCE-INDEX</c>: the write-ahead-log record the alert came from and its position among
    /// that record's alerts, prefixed <c>EPOCH.</c> after the log was replaced), so a re-delivery after a restart carries the same id and a sink can skip
    /// what it has already delivered. Null for alerts that are never re-delivered (scan, backtest).
    /// </summary>
    public string? Id { get; init; }

    public required string Rule { get; init; }
    public required Severity Severity { get; init; }
    public required DateTimeOffset? Time { get; init; }
    public string? Cluster { get; init; }
    public string? Identity { get; init; }
    public string? IdentityKind { get; init; }

    /// <summary>The authenticated user when the request impersonated <see cref="Identity"/>.</summary>
    public string? Impersonator { get; init; }

    /// <summary><c>namespace/resource/name[/subresource]</c>, or the request URI for non-resource requests.</summary>
    public string? Target { get; init; }

    public string? Verb { get; init; }
    public string? SourceIp { get; init; }
    public required string Message { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> AuditIds { get; init; } = [];

    /// <summary>For stateful rules: how many events the alert stands for, and over what window.</summary>
    public int Count { get; init; } = 1;

    public TimeSpan? Window { get; init; }

    /// <summary>For stateful rules, what the state saw: the count and window, the distinct values, the new term and what was known.</summary>
    public string? Detail { get; init; }
}
