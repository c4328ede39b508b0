namespace Auditrail.LogGenerator.Tests;

public class AttackTests
{
    [Fact]
    public void Attacks_make_up_the_requested_share()
    {
        var log = Samples.Workday;
        var share = (double)log.Events.Count(log.IsAttack) / log.Events.Count;
        Assert.InRange(share, 0.04, 0.06);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.1)]
    public void Other_shares_are_met_too(double target)
    {
        var log = GeneratedLog.Generate(new GeneratorOptions { Seed = 11, AttackShare = target }, 25_000);
        var share = (double)log.Stats.AttackEventCount / log.Stats.Events;
        Assert.InRange(share, target * 0.75, target * 1.25);
    }

    [Fact]
    public void A_zero_share_injects_nothing()
    {
        var log = GeneratedLog.Generate(new GeneratorOptions { AttackShare = 0 }, 5_000);
        Assert.Empty(log.Labels);
        Assert.Equal(0, log.Stats.AttackEventCount);
        Assert.DoesNotContain(log.Events, e => e.Code() == 401);
    }

    [Fact]
    public void Every_kind_of_attack_is_injected()
    {
        foreach (var kind in Enum.GetValues<AttackKind>())
        {
            Assert.True(Samples.Workday.Stats.AttacksInjected[kind] > 0, $"no {kind}");
        }
    }

    [Fact]
    public void Brute_force_is_failed_authentication_from_outside()
    {
        var events = Samples.Workday.AttacksOf(AttackKind.BruteForce).ToList();
        Assert.NotEmpty(events);
        foreach (var e in events)
        {
            Assert.Equal(401, e.Code());
            Assert.Equal("ResponseStarted", e.Str("stage"));
            Assert.Empty(e.GetProperty("user").EnumerateObject());
            Assert.False(e.TryGetProperty("annotations", out _));
            Assert.StartsWith("Authentication failed, attempted: ", e.Obj("responseStatus")!.Value.Str("message"), StringComparison.Ordinal);
            Assert.Matches("^(203\\.0\\.113|198\\.51\\.100)\\.", e.GetProperty("sourceIPs")[0].GetString());
        }
    }

    [Fact]
    public void Secret_enumeration_sweeps_namespaces_from_one_service_account()
    {
        var scenarios = Samples.Workday.AttacksOf(AttackKind.SecretEnumeration).GroupBy(e => Samples.Workday.Labels[e.Str("auditID")!].GetProperty("scenario").GetInt32());
        var sweep = scenarios.MaxBy(s => s.Count())!;
        Assert.Single(sweep.Select(e => e.Username()).Distinct());
        Assert.StartsWith("system:serviceaccount:", sweep.First().Username(), StringComparison.Ordinal);
        var namespaces = sweep.Where(e => e.Resource() == "secrets").Select(e => e.Obj("objectRef")!.Value.Str("namespace")).Distinct().Count();
        Assert.True(namespaces >= 3, $"{namespaces} namespaces");
    }

    [Fact]
    public void Privilege_escalation_binds_cluster_admin_then_starts_a_privileged_pod_on_the_host_root()
    {
        var events = Samples.Workday.AttacksOf(AttackKind.PrivilegeEscalation).ToList();
        var binding = events.First(e => e.Resource() == "clusterrolebindings" && e.Str("verb") == "create" && e.Str("stage") == "ResponseComplete");
        Assert.Equal("cluster-admin", binding.GetProperty("requestObject").GetProperty("roleRef").Str("name"));
        var pod = events.First(e => e.Resource() == "pods" && e.Subresource() is null && e.Str("verb") == "create" && e.Code() == 201 && e.Str("stage") == "ResponseComplete");
        var spec = pod.GetProperty("requestObject").GetProperty("spec");
        Assert.Equal("/", spec.GetProperty("volumes")[0].GetProperty("hostPath").Str("path"));
        Assert.True(spec.GetProperty("containers")[0].GetProperty("securityContext").GetProperty("privileged").GetBoolean());
        Assert.True(spec.GetProperty("hostPID").GetBoolean());
    }

    [Fact]
    public void Impersonation_records_the_impersonated_user()
    {
        var events = Samples.Workday.AttacksOf(AttackKind.Impersonation).Where(e => e.Str("stage") != "RequestReceived").ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.NotNull(e.Obj("impersonatedUser")?.Str("username")));
    }

    [Fact]
    public void Stolen_tokens_are_replayed_with_curl_from_outside_the_cluster()
    {
        var events = Samples.Workday.AttacksOf(AttackKind.StolenToken).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            Assert.Equal("curl/8.5.0", e.Str("userAgent"));
            Assert.Matches("^(203\\.0\\.113|198\\.51\\.100)\\.", e.GetProperty("sourceIPs")[0].GetString());
            Assert.NotNull(e.GetProperty("user").Obj("extra"));
        });
    }

    [Fact]
    public void Exec_attacks_target_kube_system()
    {
        var execs = Samples.Workday.AttacksOf(AttackKind.ExecIntoSystemPod).Where(e => e.Subresource() == "exec").ToList();
        Assert.NotEmpty(execs);
        Assert.All(execs, e => Assert.Equal("kube-system", e.Obj("objectRef")!.Value.Str("namespace")));
    }
}
