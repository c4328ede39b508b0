namespace Auditrail.LogGenerator.Simulation;

/// <summary>audit.k8s.io stages in the order a request passes them.</summary>
internal enum AuditStage
{
    RequestReceived,
    ResponseStarted,
    ResponseComplete,
    Panic,
}

/// <summary>audit.k8s.io levels that produce events (None produces nothing, so it never appears).</summary>
internal enum AuditLevel
{
    Metadata,
    Request,
    RequestResponse,
}

internal static class Verbs
{
    public const string Get = "get";
    public const string List = "list";
    public const string Watch = "watch";
    public const string Create = "create";
    public const string Update = "update";
    public const string Patch = "patch";
    public const string Delete = "delete";
    public const string DeleteCollection = "deletecollection";

    public static bool IsWrite(string verb) => verb is Create or Update or Patch or Delete or DeleteCollection;
}
