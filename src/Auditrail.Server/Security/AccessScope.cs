namespace Auditrail.Server.Security;

/// <summary>
/// What a bearer token may do. The ingest token only writes audit events; reading the audit data
/// (alerts, queries) needs <see cref="Read"/>; power-user SQL and anything that changes state needs
/// <see cref="Admin"/>, which includes <see cref="Read"/>.
/// </summary>
[Flags]
public enum AccessScope
{
    None = 0,

    /// <summary>POST audit events to <c>/audit/webhook</c>.</summary>
    Ingest = 1,

    /// <summary>GET alerts and query results under <c>/api/v1</c>.</summary>
    Read = 2,

    /// <summary>Read, plus raw SQL and administrative endpoints.</summary>
    Admin = 4 | Read,
}
