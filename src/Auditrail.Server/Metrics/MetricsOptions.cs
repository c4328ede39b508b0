using Auditrail.Server.Security;

namespace Auditrail.Server.Metrics;

/// <summary>Who may read <c>/metrics</c>.</summary>
public sealed record MetricsOptions
{
    /// <summary>
    /// False (default): anyone who reaches the port may scrape, which is how Prometheus usually scrapes
    /// inside a cluster; the page holds counts, never audit data or secrets. True: a bearer token with
    /// <see cref="AccessScope.Read"/> is needed (Prometheus's <c>authorization</c> scrape setting).
    /// </summary>
    public bool RequireToken { get; init; }

    /// <summary>The tokens checked when <see cref="RequireToken"/> is true.</summary>
    public AccessTokens? Tokens { get; init; }
}
