using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Risks;

/// <summary>
/// The risky permissions <c>auditrail rbac risks</c> looks for. Each is a set of probe requests, so a
/// rule is matched with the authorizer's semantics: <c>verbs: ["*"]</c> grants escalate,
/// <c>resources: ["*/exec"]</c> grants pods/exec, and <c>pods/*</c> grants neither.
/// </summary>
public static class RiskCatalog
{
    // Values no real request uses: only a wildcard in the rule can match them, which is how a rule
    // "allows everything" is told apart from one that lists many things.
    internal const string UnusedVerb = "auditrail-probe-verb";
    internal const string UnusedGroup = "probe.auditrail.invalid";
    internal const string UnusedResource = "auditrail-probe-resources";
    internal const string UnusedName = "auditrail-probe-name";
    internal const string UnusedPath = "/auditrail-probe-path";

    /// <summary>The id of the cluster-admin-equivalent risk, which includes all the others.</summary>
    public const string ClusterAdminId = "AR4101";

    private const string Rbac = "rbac.authorization.k8s.io";
    private const string Certificates = "certificates.k8s.io";
    private const string Admission = "admissionregistration.k8s.io";
    private static readonly string[] Writes = ["create", "update", "patch"];

    public static IReadOnlyList<RiskDefinition> All { get; } =
    [
        new(ClusterAdminId, "cluster-admin", RiskSeverity.Critical, "Cluster-admin equivalent: every verb on every resource of every group",
            "Whoever holds it can do anything the API allows, including granting itself any other permission; it should belong to break-glass identities only.",
            [new RiskProbe(RequestAttributes.ForResource(UnusedVerb, UnusedGroup, UnusedResource, name: UnusedName), false, "* * (every verb, group and resource)")]),
        new("AR4102", "escalate", RiskSeverity.Critical, "Escalate: create or change roles with permissions the holder lacks",
            "RBAC normally refuses to let anyone write a role granting more than they have; 'escalate' lifts that check, so the holder can write a role with every permission and use it.",
            [RiskProbe.Resource("escalate", Rbac, "roles"), RiskProbe.Resource("escalate", Rbac, "clusterroles")]),
        new("AR4103", "bind", RiskSeverity.Critical, "Bind: bind roles the holder does not have",
            "'bind' lifts the check that a binding may only grant what its author already holds: the holder can bind cluster-admin (or any role) to itself.",
            [RiskProbe.Resource("bind", Rbac, "roles"), RiskProbe.Resource("bind", Rbac, "clusterroles")]),
        new("AR4104", "impersonate", RiskSeverity.Critical, "Impersonate users, groups or user attributes",
            "With Impersonate-User/Group headers the holder acts as anyone, for example as a member of system:masters, with all of that identity's permissions; the audit log then shows the impersonated user.",
            [RiskProbe.Resource("impersonate", "", "users"), RiskProbe.Resource("impersonate", "", "groups"),
             RiskProbe.Resource("impersonate", "authentication.k8s.io", "userextras"), RiskProbe.Resource("impersonate", "authentication.k8s.io", "uids")]),
        new("AR4105", "impersonate-serviceaccounts", RiskSeverity.High, "Impersonate service accounts",
            "The holder acts as any service account it may impersonate and gains its permissions, which controllers' accounts make broad.",
            [RiskProbe.Resource("impersonate", "", "serviceaccounts")]),
        new("AR4106", "secrets-list", RiskSeverity.High, "List or watch Secrets",
            "A list or watch returns every Secret in scope with its values (tokens, passwords, keys), not just names; watch keeps receiving new ones.",
            [RiskProbe.Resource("list", "", "secrets"), RiskProbe.Resource("watch", "", "secrets")]),
        new("AR4107", "secrets-get", RiskSeverity.High, "Read Secrets by name",
            "Reading a Secret reveals its values; service account tokens and cloud credentials among them lead to further access.",
            [RiskProbe.Resource("get", "", "secrets")]),
        new("AR4108", "workloads-write", RiskSeverity.High, "Create or change pods and workloads",
            "A pod can run as any service account of its namespace (and so use its token), mount host paths or run privileged unless admission stops it; writing a workload's pod template does the same through its controller.",
            [.. Writes.SelectMany(v => new[]
            {
                RiskProbe.Resource(v, "", "pods"), RiskProbe.Resource(v, "", "replicationcontrollers"),
                RiskProbe.Resource(v, "apps", "deployments"), RiskProbe.Resource(v, "apps", "daemonsets"),
                RiskProbe.Resource(v, "apps", "statefulsets"), RiskProbe.Resource(v, "apps", "replicasets"),
                RiskProbe.Resource(v, "batch", "jobs"), RiskProbe.Resource(v, "batch", "cronjobs"),
            })]),
        new("AR4109", "pods-exec", RiskSeverity.High, "Exec into or attach to running containers",
            "The holder runs commands inside existing containers with their service account tokens, mounted secrets and privileges. Exec and attach need create (and get over websockets in older versions).",
            [RiskProbe.Resource("create", "", "pods", "exec"), RiskProbe.Resource("get", "", "pods", "exec"),
             RiskProbe.Resource("create", "", "pods", "attach"), RiskProbe.Resource("get", "", "pods", "attach")]),
        new("AR4110", "pods-ephemeralcontainers", RiskSeverity.High, "Add ephemeral containers to running pods",
            "An ephemeral container joins a running pod with an image and command of the holder's choosing: exec by another route, with the pod's service account and volumes.",
            [RiskProbe.Resource("update", "", "pods", "ephemeralcontainers"), RiskProbe.Resource("patch", "", "pods", "ephemeralcontainers")]),
        new("AR4111", "pods-portforward", RiskSeverity.Medium, "Port-forward to pods",
            "Reaches any port of a pod from outside, bypassing NetworkPolicies and Services: admin consoles and databases that trust the pod network.",
            [RiskProbe.Resource("create", "", "pods", "portforward"), RiskProbe.Resource("get", "", "pods", "portforward")]),
        new("AR4112", "nodes-proxy", RiskSeverity.Critical, "Proxy to the kubelet API (nodes/proxy)",
            "The kubelet API runs commands in every pod of the node and its requests skip admission and the apiserver's audit of exec; even get is enough over websockets.",
            [RiskProbe.Resource("get", "", "nodes", "proxy"), RiskProbe.Resource("create", "", "nodes", "proxy")]),
        new("AR4113", "serviceaccount-token", RiskSeverity.High, "Mint service account tokens",
            "Creating serviceaccounts/token issues a token for a service account, so the holder acts as it.",
            [RiskProbe.Resource("create", "", "serviceaccounts", "token")]),
        new("AR4114", "csr-approval", RiskSeverity.Medium, "Approve certificate signing requests",
            "Approval turns a CSR into a certificate; with approve on a signer (AR4115) the holder can have client certificates issued for any user or group, system:masters included.",
            [RiskProbe.Resource("update", Certificates, "certificatesigningrequests", "approval"), RiskProbe.Resource("patch", Certificates, "certificatesigningrequests", "approval")]),
        new("AR4115", "csr-signers", RiskSeverity.High, "Approve or sign for certificate signers",
            "'approve' on signers is what lets an approval take effect and 'sign' lets the holder issue certificates itself; for kubernetes.io/kube-apiserver-client that is a login as any identity.",
            [RiskProbe.Resource("approve", Certificates, "signers"), RiskProbe.Resource("sign", Certificates, "signers")]),
        new("AR4116", "admission-config", RiskSeverity.High, "Change admission webhooks and policies",
            "Webhook and ValidatingAdmissionPolicy objects decide what the cluster admits: the holder can switch guardrails off, or register a mutating webhook that sees and rewrites every object, Secrets included.",
            [.. new[] { "create", "update", "patch", "delete" }.SelectMany(v => new[]
            {
                RiskProbe.Resource(v, Admission, "validatingwebhookconfigurations"), RiskProbe.Resource(v, Admission, "mutatingwebhookconfigurations"),
                RiskProbe.Resource(v, Admission, "validatingadmissionpolicies"), RiskProbe.Resource(v, Admission, "validatingadmissionpolicybindings"),
                RiskProbe.Resource(v, Admission, "mutatingadmissionpolicies"), RiskProbe.Resource(v, Admission, "mutatingadmissionpolicybindings"),
            })]),
        new("AR4117", "status-writes", RiskSeverity.Medium, "Write pod or node status",
            "Status is what controllers and schedulers trust: a forged pod status can steer Services (ready endpoints) and a forged node status can attract or evict workloads.",
            [RiskProbe.Resource("update", "", "pods", "status"), RiskProbe.Resource("patch", "", "pods", "status"),
             RiskProbe.Resource("update", "", "nodes", "status"), RiskProbe.Resource("patch", "", "nodes", "status")]),
        new("AR4118", "aws-auth", RiskSeverity.Critical, "Change the EKS aws-auth ConfigMap",
            "kube-system/aws-auth maps IAM roles and users to Kubernetes users and groups on EKS; whoever edits it can map an identity they control into system:masters.",
            [RiskProbe.Named("update", "", "configmaps", "aws-auth", "kube-system"), RiskProbe.Named("patch", "", "configmaps", "aws-auth", "kube-system")]),
        new("AR4119", "broad-wildcard", RiskSeverity.High, "Wildcard granted to everyone in a broad group",
            "A '*' in verbs, groups, resources or non-resource URLs grants whatever exists now and whatever is added later, and here it goes to every user, every service account or anonymous requests.",
            [])
        {
            BroadSubjectsOnly = true,
            RuleCheck = WildcardsOf,
        },
    ];

    /// <summary>
    /// Which parts of a rule are wildcards, asked of the authorizer's own matchers with values no real
    /// request uses, so only a <c>*</c> can match them.
    /// </summary>
    public static IReadOnlyList<string> WildcardsOf(PolicyRule rule)
    {
        var wildcards = new List<string>();
        if (RbacAuthorizer.VerbMatches(rule, UnusedVerb))
        {
            wildcards.Add("verbs: *");
        }

        if (rule.NonResourceUrls.Count > 0)
        {
            if (RbacAuthorizer.NonResourceUrlMatches(rule, UnusedPath))
            {
                wildcards.Add("nonResourceURLs: *");
            }

            return wildcards;
        }

        if (RbacAuthorizer.ApiGroupMatches(rule, UnusedGroup))
        {
            wildcards.Add("apiGroups: *");
        }

        if (RbacAuthorizer.ResourceMatches(rule, UnusedResource, string.Empty))
        {
            wildcards.Add("resources: *");
        }

        return wildcards;
    }

    public static RiskDefinition? Find(string idOrName) =>
        All.FirstOrDefault(r => string.Equals(r.Id, idOrName, StringComparison.OrdinalIgnoreCase) || string.Equals(r.Name, idOrName, StringComparison.OrdinalIgnoreCase));
}
