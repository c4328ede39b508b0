namespace Auditrail.LogGenerator.Model;

/// <summary>
/// Client versions and user agents. client-go builds <c>binary/version (os/arch) kubernetes/commit</c> and
/// kube-controller-manager appends the name of the controller (or its service account) after a slash.
/// </summary>
internal static class Clients
{
    public const string KubernetesVersion = "v1.31.4";
    public const string KubernetesCommit = "a78aa47";
    public const string ProbeAgent = "kube-probe/1.31";

    public static string Component(string binary) => $"{binary}/{KubernetesVersion} (linux/amd64) kubernetes/{KubernetesCommit}";

    public static string ControllerManager(string suffix) => Component("kube-controller-manager") + "/" + suffix;

    /// <summary>kubectl builds people use; the first is the one from the brief, byte for byte.</summary>
    public static readonly (string Version, string Platform, string Commit)[] Kubectl =
    [
        ("v1.30.2", "linux/amd64", "39683505"),
        ("v1.31.1", "darwin/arm64", "948afe5"),
        ("v1.29.4", "darwin/arm64", "55019c8"),
        ("v1.32.0", "linux/amd64", "70d3cc9"),
        ("v1.31.4", "windows/amd64", "a78aa47"),
        ("v1.28.9", "darwin/amd64", "587f5fe"),
    ];

    public static string KubectlAgent(int build) =>
        $"kubectl/{Kubectl[build].Version} ({Kubectl[build].Platform}) kubernetes/{Kubectl[build].Commit}";

    /// <summary>
    /// kubectl 1.30 moved exec and attach to WebSockets and 1.31 port-forward; the upgrade is an HTTP GET, so
    /// the audit verb is <c>get</c> for new clients and <c>create</c> (a POST) for older ones.
    /// </summary>
    public static string StreamVerb(int build, string subresource)
    {
        var minor = int.Parse(Kubectl[build].Version.AsSpan(3, 2), System.Globalization.CultureInfo.InvariantCulture);
        var websocketSince = subresource == "portforward" ? 31 : 30;
        return minor >= websocketSince ? "get" : "create";
    }

    /// <summary>Agents of libraries that applications embed.</summary>
    public static readonly string[] Libraries =
    [
        "Go-http-client/2.0",
        "OpenAPI-Generator/31.0.0/python",
        "fabric8-kubernetes-client/6.13.1",
        "kubernetes-client-node/0.22.0",
    ];

    public static readonly string[] AttackTools =
    [
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Go-http-client/1.1",
        "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
    ];

    public static readonly string[] Scanners =
    [
        "Mozilla/5.0 zgrab/0.x",
        "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
        "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
        "python-requests/2.31.0",
    ];
}
