using System.Text.Json;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

internal readonly record struct Subject(string Kind, string Name, string? Namespace = null);

/// <summary>A RoleBinding or ClusterRoleBinding, as created by a person, CI or an attacker.</summary>
internal sealed class BindingBody(ApiResource resource, string roleKind, string roleName, params Subject[] subjects) : ObjectBody
{
    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r) => Write(w, r, stored: false);

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        ObjectJson.Begin(w, resource, r, r.DetailsName, stored);
        w.WriteEndObject();
        w.WriteStartArray("subjects"u8);
        foreach (var subject in subjects)
        {
            w.WriteStartObject();
            w.WriteString("kind"u8, subject.Kind);
            if (subject.Kind != "ServiceAccount")
            {
                w.WriteString("apiGroup"u8, "rbac.authorization.k8s.io"u8);
            }

            w.WriteString("name"u8, subject.Name);
            if (subject.Namespace is not null)
            {
                w.WriteString("namespace"u8, subject.Namespace);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("roleRef"u8);
        w.WriteString("apiGroup"u8, "rbac.authorization.k8s.io"u8);
        w.WriteString("kind"u8, roleKind);
        w.WriteString("name"u8, roleName);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>A Role or ClusterRole with pre-rendered rules.</summary>
internal sealed class RoleBody(ApiResource resource, byte[] rules) : ObjectBody
{
    /// <summary>What a team's deploy role usually grants in its namespace.</summary>
    public static readonly byte[] DeployerRules =
        ("""[{"verbs":["get","list","watch","create","update","patch","delete"],"apiGroups":["apps"],"resources":["deployments","replicasets","statefulsets"]},"""u8
        + """{"verbs":["get","list","watch","create","update","patch","delete"],"apiGroups":[""],"resources":["services","configmaps","pods"]},"""u8
        + """{"verbs":["get","list","watch"],"apiGroups":[""],"resources":["pods/log","events"]},"""u8
        + """{"verbs":["create"],"apiGroups":[""],"resources":["pods/exec","pods/portforward"]}]"""u8).ToArray();

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r) => Write(w, r, stored: false);

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        ObjectJson.Begin(w, resource, r, r.DetailsName, stored);
        w.WriteEndObject();
        ObjectJson.Raw(w, "rules"u8, rules);
        w.WriteEndObject();
    }
}
