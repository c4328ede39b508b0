namespace Auditrail.LogGenerator.Tests;

/// <summary>The log looks like a real cluster's: every kind of client, verb, API group and outcome.</summary>
public class TrafficMixTests
{
    [Fact]
    public void Every_kind_of_identity_appears()
    {
        var users = Samples.Workday.Events.Select(e => e.Username()).Where(u => u is not null).ToHashSet();
        Assert.Contains("system:kube-controller-manager", users);
        Assert.Contains("system:kube-scheduler", users);
        Assert.Contains("system:apiserver", users);
        Assert.Contains("system:serviceaccount:kube-system:replicaset-controller", users);
        Assert.Contains("system:anonymous", users);
        Assert.Contains(users, u => u!.StartsWith("system:node:", StringComparison.Ordinal));
        Assert.Contains(users, u => u!.EndsWith("@example.com", StringComparison.Ordinal));
        foreach (var kind in Enum.GetValues<TrafficKind>())
        {
            Assert.True(Samples.Workday.Stats.ByTraffic[kind] > 0, $"no {kind} traffic");
        }
    }

    [Fact]
    public void Service_accounts_carry_their_groups_and_bound_token_claims()
    {
        var account = Samples.Workday.Events.First(e => e.Username()?.StartsWith("system:serviceaccount:payments:", StringComparison.Ordinal) == true);
        var user = account.GetProperty("user");
        var groups = user.GetProperty("groups").EnumerateArray().Select(g => g.GetString()).ToList();
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:payments", "system:authenticated"], groups);
        Assert.NotNull(user.GetProperty("extra").GetProperty("authentication.kubernetes.io/pod-name")[0].GetString());
    }

    [Fact]
    public void People_use_kubectl()
    {
        var agents = Samples.Workday.Events.Where(e => e.Username()?.EndsWith("@example.com", StringComparison.Ordinal) == true).Select(e => e.Str("userAgent")).ToHashSet();
        Assert.All(agents, a => Assert.StartsWith("kubectl/v1.", a, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_verb_appears()
    {
        var verbs = Samples.Workday.Stats.ByVerb;
        foreach (var verb in (string[])["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"])
        {
            Assert.True(verbs.GetValueOrDefault(verb) > 0, $"no {verb}");
        }

        // Controllers and kubelets dominate: reads and lease updates far outnumber anything else.
        Assert.True(verbs["get"] + verbs["update"] > Samples.Workday.Stats.Events / 2);
    }

    [Fact]
    public void Subresources_API_groups_and_scopes_all_appear()
    {
        var events = Samples.Workday.Events;
        var subresources = events.Select(e => e.Subresource()).ToHashSet();
        foreach (var subresource in (string[])["exec", "log", "status", "scale", "token", "binding"])
        {
            Assert.Contains(subresource, subresources);
        }

        var groups = events.Select(e => e.Obj("objectRef")?.Str("apiGroup") ?? (e.Obj("objectRef") is null ? null : "")).ToHashSet();
        foreach (var group in (string[])["", "apps", "rbac.authorization.k8s.io", "coordination.k8s.io", "batch", "networking.k8s.io"])
        {
            Assert.Contains(group, groups);
        }

        Assert.Contains(events, e => e.Resource() == "nodes");
        Assert.Contains(events, e => e.Resource() == "pods" && e.Obj("objectRef")!.Value.Str("namespace") is not null);
    }

    [Fact]
    public void Most_events_are_Metadata_and_some_carry_large_bodies()
    {
        var log = Samples.Workday;
        Assert.True(log.Stats.ByLevel["Metadata"] > log.Stats.Events * 0.7);
        Assert.True(log.Stats.ByLevel["Request"] > 0);
        Assert.True(log.Stats.ByLevel["RequestResponse"] > 0);
        var large = log.Lines.Count(l => l.Length > 4_096);
        Assert.True(large > 100, $"{large} events over 4 KiB");
    }

    [Fact]
    public void Bodies_include_pods_deployments_rbac_reviews_and_fake_secrets()
    {
        var kinds = Samples.Workday.Events
            .SelectMany(e => (string[])["requestObject", "responseObject"], (e, p) => e.Obj(p)?.Str("kind"))
            .Where(k => k is not null)
            .ToHashSet();
        foreach (var kind in (string[])["Pod", "Deployment", "ReplicaSet", "ClusterRoleBinding", "TokenReview", "SubjectAccessReview", "Job", "Status", "Lease"])
        {
            Assert.Contains(kind, kinds);
        }

        // Secret and ConfigMap bodies only come from the full-body namespace (the policy's deliberate mistake).
        var secret = Samples.SmallCluster.Events.Select(e => e.Obj("requestObject")).First(o => o?.Str("kind") == "Secret")!.Value;
        Assert.Contains(Samples.SmallCluster.Events, e => e.Obj("responseObject")?.Str("kind") == "ConfigMap");
        foreach (var value in secret.GetProperty("data").EnumerateObject())
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(value.Value.GetString()!));
            Assert.Contains("FAKE", text.ToUpperInvariant(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Stored_objects_carry_managed_fields()
    {
        Assert.Contains(Samples.Workday.Events, e => e.Obj("responseObject")?.Obj("metadata")?.TryGetProperty("managedFields", out _) == true);
    }

    [Fact]
    public void Pod_creates_record_pod_security_and_webhook_annotations()
    {
        var creates = Samples.Workday.Events.Where(e => e.Resource() == "pods" && e.Subresource() is null && e.Str("verb") == "create" && e.Str("stage") == "ResponseComplete").ToList();
        Assert.Contains(creates, e => e.Obj("annotations")?.Str("pod-security.kubernetes.io/enforce-policy") is not null);
        Assert.Contains(creates, e => e.Obj("annotations")?.Str("mutation.webhook.admission.k8s.io/round_0_index_0") is not null);
    }

    [Fact]
    public void Outcomes_include_conflicts_not_found_and_forbidden()
    {
        var codes = Samples.Workday.Stats.ByCode;
        foreach (var code in (int[])[200, 201, 101, 401, 403, 404, 409])
        {
            Assert.True(codes.GetValueOrDefault(code) > 0, $"no {code}");
        }
    }

    [Fact]
    public void The_default_start_is_quiet_at_night_but_busy_with_machines()
    {
        var stats = Samples.Midnight.Stats;
        Assert.True(stats.ByTraffic[TrafficKind.Human] < stats.Events / 100);
        Assert.True(stats.ByTraffic[TrafficKind.ControlPlane] > stats.Events / 5);
    }
}
