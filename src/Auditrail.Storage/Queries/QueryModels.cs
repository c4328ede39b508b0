namespace Auditrail.Storage.Queries;

/// <summary>What every query narrows by: the time window [Since, Until), the cluster, and how many rows at most.</summary>
public sealed record QueryWindow
{
    /// <summary>The row cap when none is given: enough to read on a screen, small enough to answer fast.</summary>
    public const int DefaultLimit = 100;

    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public string? Cluster { get; init; }
    public int Limit { get; init; } = DefaultLimit;
}

/// <summary><c>who</c>: who touched a resource (optionally one object, in one namespace, with one verb).</summary>
public sealed record WhoQuery(string Resource)
{
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    public string? Verb { get; init; }
}

/// <summary><c>timeline</c>: one identity's or one address's requests. Exactly one of the three is set.</summary>
public sealed record TimelineQuery
{
    /// <summary>A username, matched as the authenticated user or as the user impersonated.</summary>
    public string? User { get; init; }

    /// <summary><c>NAMESPACE:NAME</c> of a service account (its username is <c>system:serviceaccount:NAMESPACE:NAME</c>).</summary>
    public string? ServiceAccount { get; init; }

    public string? SourceIp { get; init; }
}

/// <summary><c>alerts</c>: stored alerts of one rule and/or at or above one severity.</summary>
public sealed record AlertQuery
{
    public string? Rule { get; init; }
    public Detection.Rules.Severity? MinimumSeverity { get; init; }
}

/// <summary>One stored request: who, when, from where, what, with what result.</summary>
public sealed record EventSummary
{
    public DateTimeOffset? Time { get; init; }
    public string? Cluster { get; init; }
    public required string AuditId { get; init; }
    public required string Stage { get; init; }
    public string? Verb { get; init; }

    /// <summary>The authenticated user (user.username).</summary>
    public string? User { get; init; }
    public string? UserKind { get; init; }

    /// <summary>The user the request acted as, when <see cref="User"/> impersonated someone.</summary>
    public string? ImpersonatedUser { get; init; }
    public string? SourceIp { get; init; }
    public string? UserAgent { get; init; }
    public string? ApiGroup { get; init; }
    public string? Resource { get; init; }
    public string? Subresource { get; init; }
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    public int? Code { get; init; }
    public string? Decision { get; init; }
    public string? Reason { get; init; }
    public string? RequestUri { get; init; }
}

/// <summary><c>changes</c>: one identity's mutating requests in the window (newest first, capped by the limit) and how many there were in all.</summary>
public sealed record IdentityChanges(string? User, string? UserKind, long Total, DateTimeOffset? First, DateTimeOffset? Last, IReadOnlyList<EventSummary> Requests);

/// <summary><c>denied</c>: refused requests of one identity from one address.</summary>
public sealed record DeniedGroup
{
    public string? User { get; init; }
    public string? UserKind { get; init; }
    public string? SourceIp { get; init; }
    public long Count { get; init; }
    public long Unauthorized { get; init; }
    public long Forbidden { get; init; }
    public DateTimeOffset? First { get; init; }
    public DateTimeOffset? Last { get; init; }

    /// <summary>A few of the verb/resource pairs refused, most frequent first.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
}

/// <summary>One stored alert.</summary>
public sealed record StoredAlert
{
    /// <summary>The id the live pipeline gave the alert (the one its sinks received), null for alerts stored by <c>scan --store</c>.</summary>
    public string? Id { get; init; }

    public DateTimeOffset? Time { get; init; }
    public string? Cluster { get; init; }
    public required string Rule { get; init; }
    public required string Severity { get; init; }
    public string? Identity { get; init; }
    public string? IdentityKind { get; init; }
    public string? Impersonator { get; init; }
    public string? Target { get; init; }
    public string? Verb { get; init; }
    public string? SourceIp { get; init; }
    public required string Message { get; init; }
    public string? Detail { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> AuditIds { get; init; } = [];
    public int Count { get; init; }
}

/// <summary>The answer to a read-only SQL query: column names and rows of plain values.</summary>
public sealed record SqlResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows, bool Truncated);

/// <summary>What the store holds.</summary>
public sealed record StoreInfo(int SchemaVersion, long Events, long Alerts, DateTimeOffset? Oldest, DateTimeOffset? Newest, long UsedBytes, long FileBytes);
