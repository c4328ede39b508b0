using System.Text.Json;
using Auditrail.LogGenerator.Writing;

namespace Auditrail.LogGenerator.Model;

/// <summary>
/// An authenticated user as the apiserver sees it, with where it usually connects from and with what client.
/// The <c>user</c> object and the <c>sourceIPs</c> array are rendered once: they are written into most events.
/// </summary>
internal sealed class Identity
{
    public const string Authenticated = "system:authenticated";
    public const string Masters = "system:masters";

    public Identity(
        string username,
        string? uid,
        string[] groups,
        TrafficKind traffic,
        string userAgent,
        string sourceIp,
        string allowReason,
        IReadOnlyList<KeyValuePair<string, string>>? extra = null)
    {
        Username = username;
        Uid = uid;
        Groups = groups;
        Traffic = traffic;
        UserAgent = userAgent;
        SourceIp = sourceIp;
        AllowReason = allowReason;
        UserJson = JsonOutput.Render(w => WriteUser(w, username, uid, groups, extra));
        SourceIpsJson = RenderSourceIps(sourceIp);
        UserAgentText = JsonEncodedText.Encode(userAgent, JsonOutput.WriterOptions.Encoder);
        IsPrivileged = Array.IndexOf(groups, Masters) >= 0;
    }

    public string Username { get; }

    public string? Uid { get; }

    public string[] Groups { get; }

    public TrafficKind Traffic { get; }

    public string UserAgent { get; }

    public string SourceIp { get; }

    /// <summary>The <c>authorization.k8s.io/reason</c> when the identity's usual binding allows a request.</summary>
    public string AllowReason { get; }

    /// <summary>Members of system:masters bypass RBAC; the apiserver then records an empty reason.</summary>
    public bool IsPrivileged { get; }

    public byte[] UserJson { get; }

    public byte[] SourceIpsJson { get; }

    public JsonEncodedText UserAgentText { get; }

    public static byte[] RenderSourceIps(params string[] addresses) => JsonOutput.Render(w =>
    {
        w.WriteStartArray();
        foreach (var address in addresses)
        {
            w.WriteStringValue(address);
        }

        w.WriteEndArray();
    });

    /// <summary>Go marshals <c>extra</c> as a map, so its keys come out sorted; callers pass them sorted.</summary>
    private static void WriteUser(
        Utf8JsonWriter w, string username, string? uid, string[] groups, IReadOnlyList<KeyValuePair<string, string>>? extra)
    {
        w.WriteStartObject();
        w.WriteString("username"u8, username);
        if (uid is not null)
        {
            w.WriteString("uid"u8, uid);
        }

        w.WriteStartArray("groups"u8);
        foreach (var group in groups)
        {
            w.WriteStringValue(group);
        }

        w.WriteEndArray();
        if (extra is { Count: > 0 })
        {
            w.WriteStartObject("extra"u8);
            foreach (var (key, value) in extra)
            {
                w.WriteStartArray(key);
                w.WriteStringValue(value);
                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static string[] ServiceAccountGroups(string ns) =>
        ["system:serviceaccounts", "system:serviceaccounts:" + ns, Authenticated];

    public static string ServiceAccountUser(string ns, string name) => "system:serviceaccount:" + ns + ":" + name;

    public override string ToString() => Username;
}
