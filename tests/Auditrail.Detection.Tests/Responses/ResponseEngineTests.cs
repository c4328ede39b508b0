using System.Net;
using System.Text.Json;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Responses;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Tests.Responses;

/// <summary>Responses end to end: the guard rails, then the real KubernetesClient against the loopback stand-in.</summary>
public sealed class ResponseEngineTests : IDisposable
{
    private readonly FakeApiServer _server = new();
    private readonly KubernetesResponseExecutor _executor;
    private readonly SteppedTime _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public ResponseEngineTests() => _executor = KubernetesResponseExecutor.FromKubeconfig(_server.Kubeconfig, null);

    public void Dispose()
    {
        _executor.Dispose();
        _server.Dispose();
    }

    private static readonly ResponseOptions LiveInTeam = new()
    {
        DryRun = false,
        AllowedNamespaces = new HashSet<string>(StringComparer.Ordinal) { "team" },
    };

    private static Alert AlertOn(string? target, string rule = "exec-into-pod", Severity severity = Severity.High) => new()
    {
        Rule = rule,
        Severity = severity,
        Time = new DateTimeOffset(2026, 3, 1, 11, 59, 0, TimeSpan.Zero),
        Identity = "mallory",
        Target = target,
        Message = "test alert",
        AuditIds = ["a-1"],
    };

    private static ResponseRule RuleFor(ResponseAction action, string alertRule = "*") =>
        new() { Name = "respond", AlertRule = alertRule, Actions = [action] };

    private ResponseEngine Engine(ResponseOptions options, params ResponseRule[] rules) => new(rules, options, _executor, _time);

    [Fact]
    public async Task Dry_run_is_the_default_and_records_the_call_without_making_it()
    {
        var engine = Engine(new ResponseOptions { AllowedNamespaces = new HashSet<string>(StringComparer.Ordinal) { "team" } },
            RuleFor(new ResponseAction { Kind = ResponseActionKind.DeletePod }));

        var record = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1/exec"), CancellationToken.None));

        Assert.Equal(ResponseOutcome.DryRun, record.Outcome);
        Assert.Equal("DELETE /api/v1/namespaces/team/pods/web-1", record.Request);
        Assert.Empty(_server.Calls);
    }

    public static TheoryData<ResponseActionKind, string, string, string, string?> Actions => new()
    {
        { ResponseActionKind.DeletePod, "team/pods/web-1/exec", "DELETE", "/api/v1/namespaces/team/pods/web-1", null },
        { ResponseActionKind.Label, "team/deployments.apps/web", "PATCH", "/apis/apps/v1/namespaces/team/deployments/web", """{"metadata":{"labels":{"auditrail.io/quarantine":"true"}}}""" },
        { ResponseActionKind.Annotate, "team/serviceaccounts/app", "PATCH", "/api/v1/namespaces/team/serviceaccounts/app", """{"metadata":{"annotations":{"auditrail.io/quarantine":"true"}}}""" },
        { ResponseActionKind.Label, "team/rolebindings.rbac.authorization.k8s.io/rb", "PATCH", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings/rb", """{"metadata":{"labels":{"auditrail.io/quarantine":"true"}}}""" },
        { ResponseActionKind.ScaleToZero, "team/deployments.apps/web", "PATCH", "/apis/apps/v1/namespaces/team/deployments/web/scale", """{"spec":{"replicas":0}}""" },
        { ResponseActionKind.ScaleToZero, "team/statefulsets.apps/db", "PATCH", "/apis/apps/v1/namespaces/team/statefulsets/db/scale", """{"spec":{"replicas":0}}""" },
        { ResponseActionKind.ScaleToZero, "team/replicasets.apps/web-5d8f", "PATCH", "/apis/apps/v1/namespaces/team/replicasets/web-5d8f/scale", """{"spec":{"replicas":0}}""" },
        { ResponseActionKind.DeleteBinding, "team/rolebindings.rbac.authorization.k8s.io/rb", "DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings/rb", null },
        { ResponseActionKind.DeleteBinding, "clusterrolebindings.rbac.authorization.k8s.io/crb", "DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/crb", null },
        { ResponseActionKind.CordonNode, "nodes/node-1", "PATCH", "/api/v1/nodes/node-1", """{"spec":{"unschedulable":true}}""" },
        { ResponseActionKind.Label, "namespaces/team", "PATCH", "/api/v1/namespaces/team", """{"metadata":{"labels":{"auditrail.io/quarantine":"true"}}}""" },
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task A_real_run_makes_the_right_call(ResponseActionKind kind, string target, string method, string path, string? body)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["auditrail.io/quarantine"] = "true" };
        var action = new ResponseAction { Kind = kind, Values = kind is ResponseActionKind.Label or ResponseActionKind.Annotate ? values : new Dictionary<string, string>() };
        var engine = Engine(LiveInTeam with { AllowClusterScoped = true }, RuleFor(action));

        var record = Assert.Single(await engine.RespondAsync(AlertOn(target), CancellationToken.None));

        Assert.Equal(ResponseOutcome.Taken, record.Outcome);
        Assert.Equal($"{method} {path}", record.Request);
        var call = Assert.Single(_server.Calls);
        Assert.Equal(method, call.Method);
        Assert.Equal(path, call.Path);
        if (body is null)
        {
            Assert.Empty(call.Body);
        }
        else
        {
            Assert.Equal("application/merge-patch+json", call.ContentType?.Split(';')[0]);
            Assert.Equal(body, call.Body);
        }
    }

    [Fact]
    public async Task A_given_target_is_used_instead_of_the_alerts()
    {
        var engine = Engine(LiveInTeam with { AllowClusterScoped = true },
            RuleFor(new ResponseAction { Kind = ResponseActionKind.CordonNode, Target = "nodes/worker-7" }));

        var record = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1/exec"), CancellationToken.None));

        Assert.Equal(ResponseOutcome.Taken, record.Outcome);
        Assert.Equal("nodes/worker-7", record.Target);
        Assert.Equal("/api/v1/nodes/worker-7", Assert.Single(_server.Calls).Path);
    }

    [Fact]
    public async Task Namespaces_off_the_allow_list_are_skipped_and_recorded()
    {
        var engine = Engine(LiveInTeam, RuleFor(new ResponseAction { Kind = ResponseActionKind.DeletePod }));

        var skipped = Assert.Single(await engine.RespondAsync(AlertOn("kube-system/pods/coredns-1"), CancellationToken.None));
        var taken = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None));

        Assert.Equal(ResponseOutcome.Skipped, skipped.Outcome);
        Assert.Equal("namespace kube-system is not on the allow-list", skipped.Detail);
        Assert.Equal(ResponseOutcome.Taken, taken.Outcome);
        Assert.Equal(["/api/v1/namespaces/team/pods/web-1"], _server.Calls.Select(c => c.Path));
        Assert.Equal([skipped, taken], engine.Records);
    }

    [Fact]
    public async Task Cluster_scoped_actions_need_the_explicit_flag()
    {
        var rule = RuleFor(new ResponseAction { Kind = ResponseActionKind.DeleteBinding });
        var alert = AlertOn("clusterrolebindings.rbac.authorization.k8s.io/grant-admin");

        var without = Assert.Single(await Engine(LiveInTeam, rule).RespondAsync(alert, CancellationToken.None));
        Assert.Empty(_server.Calls);
        var with = Assert.Single(await Engine(LiveInTeam with { AllowClusterScoped = true }, rule).RespondAsync(alert, CancellationToken.None));

        Assert.Equal(ResponseOutcome.Skipped, without.Outcome);
        Assert.Contains("cluster-scoped", without.Detail, StringComparison.Ordinal);
        Assert.Equal(ResponseOutcome.Taken, with.Outcome);
        Assert.Single(_server.Calls);
    }

    [Fact]
    public async Task The_window_suppresses_repeats_for_the_same_rule_and_target_only()
    {
        var engine = Engine(LiveInTeam with { RepeatWindow = TimeSpan.FromMinutes(5) }, RuleFor(new ResponseAction { Kind = ResponseActionKind.DeletePod }));

        var first = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(4));
        var repeat = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None));
        var otherPod = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-2"), CancellationToken.None));
        var otherRule = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1", rule: "shell-in-container"), CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        var afterWindow = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None));

        Assert.Equal(ResponseOutcome.Taken, first.Outcome);
        Assert.Equal(ResponseOutcome.Skipped, repeat.Outcome);
        Assert.Contains("within the 00:05:00 window", repeat.Detail, StringComparison.Ordinal);
        Assert.Equal(ResponseOutcome.Taken, otherPod.Outcome);
        Assert.Equal(ResponseOutcome.Taken, otherRule.Outcome);
        Assert.Equal(ResponseOutcome.Taken, afterWindow.Outcome);
        Assert.Equal(4, _server.Calls.Count);
    }

    [Fact]
    public async Task An_api_failure_is_recorded_as_failed_does_not_throw_and_does_not_hold_the_window()
    {
        _server.Fail("DELETE", "/api/v1/namespaces/team/pods/web-1", HttpStatusCode.Forbidden, "Forbidden",
            "pods \\\"web-1\\\" is forbidden: User \\\"system:serviceaccount:auditrail:responder\\\" cannot delete resource \\\"pods\\\"");
        var rule = new ResponseRule
        {
            Name = "quarantine",
            Actions = [new ResponseAction { Kind = ResponseActionKind.DeletePod }, new ResponseAction { Kind = ResponseActionKind.Annotate, Values = new Dictionary<string, string> { ["note"] = "x" } }],
        };
        var engine = Engine(LiveInTeam, rule);

        var records = await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None);
        var retry = await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None);

        Assert.Equal([ResponseOutcome.Failed, ResponseOutcome.Taken], records.Select(r => r.Outcome));
        Assert.Equal("HTTP 403 Forbidden: pods \"web-1\" is forbidden: User \"system:serviceaccount:auditrail:responder\" cannot delete resource \"pods\"", records[0].Detail);
        Assert.Equal([ResponseOutcome.Failed, ResponseOutcome.Skipped], retry.Select(r => r.Outcome));
        Assert.Equal(["DELETE", "PATCH", "DELETE"], _server.Calls.Select(c => c.Method));
    }

    [Fact]
    public async Task An_unreachable_apiserver_is_a_failure_not_an_exception()
    {
        _server.Stop();
        var engine = Engine(LiveInTeam, RuleFor(new ResponseAction { Kind = ResponseActionKind.DeletePod }));

        var record = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None));

        Assert.Equal(ResponseOutcome.Failed, record.Outcome);
        Assert.StartsWith("HttpRequestException: ", record.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_that_do_not_fit_the_target_and_targets_that_are_not_objects_are_skipped()
    {
        var rule = new ResponseRule
        {
            Name = "mixed",
            Actions = [new ResponseAction { Kind = ResponseActionKind.ScaleToZero }, new ResponseAction { Kind = ResponseActionKind.CordonNode }],
        };
        var engine = Engine(LiveInTeam, rule);

        var onPod = await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None);
        var onUri = await engine.RespondAsync(AlertOn("/metrics"), CancellationToken.None);
        var none = await engine.RespondAsync(AlertOn(null), CancellationToken.None);

        Assert.Equal(["scale-to-zero does not apply to pods", "cordon-node does not apply to pods"], onPod.Select(r => r.Detail));
        Assert.Equal("target '/metrics' is a request URI, not an object", onUri[0].Detail);
        Assert.Equal("the alert has no target", none[0].Detail);
        Assert.All(onPod.Concat(onUri).Concat(none), r => Assert.Equal(ResponseOutcome.Skipped, r.Outcome));
        Assert.Empty(_server.Calls);
    }

    [Fact]
    public async Task A_label_the_apiserver_would_refuse_is_skipped_even_in_a_dry_run()
    {
        var label = new ResponseAction { Kind = ResponseActionKind.Label, Values = new Dictionary<string, string> { ["by"] = "mallory kim" } };
        var engine = Engine(LiveInTeam with { DryRun = true }, RuleFor(label));

        var record = Assert.Single(await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None));

        Assert.Equal(ResponseOutcome.Skipped, record.Outcome);
        Assert.StartsWith("label 'by': the value 'mallory kim' must be empty", record.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_alerts_matching_the_rule_glob_and_minimum_severity_respond()
    {
        var engine = Engine(LiveInTeam, RuleFor(new ResponseAction { Kind = ResponseActionKind.DeletePod }, alertRule: "exec-*"));

        Assert.Empty(await engine.RespondAsync(AlertOn("team/pods/a", rule: "secret-read"), CancellationToken.None));
        Assert.Empty(await engine.RespondAsync(AlertOn("team/pods/a", severity: Severity.Medium), CancellationToken.None));
        Assert.Single(await engine.RespondAsync(AlertOn("team/pods/a", severity: Severity.Critical), CancellationToken.None));
        Assert.Single(_server.Calls);
    }

    [Fact]
    public async Task Every_record_is_appended_to_the_record_file_as_one_json_line()
    {
        var file = Path.Combine(_server.ScratchDirectory, "responses.jsonl");
        var engine = Engine(LiveInTeam with { RecordFile = file }, RuleFor(new ResponseAction { Kind = ResponseActionKind.DeletePod }));

        await engine.RespondAsync(AlertOn("team/pods/web-1"), CancellationToken.None);
        await engine.RespondAsync(AlertOn("prod/pods/api-0"), CancellationToken.None);

        var lines = File.ReadAllLines(file).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("2026-03-01T12:00:00.000000Z", lines[0].GetProperty("time").GetString());
        Assert.Equal("respond", lines[0].GetProperty("responseRule").GetString());
        Assert.Equal("exec-into-pod", lines[0].GetProperty("alertRule").GetString());
        Assert.Equal("high", lines[0].GetProperty("alertSeverity").GetString());
        Assert.Equal("mallory", lines[0].GetProperty("alertIdentity").GetString());
        Assert.Equal("a-1", lines[0].GetProperty("alertAuditIDs")[0].GetString());
        Assert.Equal("deletePod", lines[0].GetProperty("action").GetString());
        Assert.Equal("team/pods/web-1", lines[0].GetProperty("target").GetString());
        Assert.Equal("DELETE /api/v1/namespaces/team/pods/web-1", lines[0].GetProperty("request").GetString());
        Assert.Equal("taken", lines[0].GetProperty("outcome").GetString());
        Assert.False(lines[0].TryGetProperty("detail", out _));
        Assert.Equal("skipped", lines[1].GetProperty("outcome").GetString());
        Assert.Equal("namespace prod is not on the allow-list", lines[1].GetProperty("detail").GetString());
        Assert.DoesNotContain(File.ReadAllText(file), "not-a-real-token", StringComparison.Ordinal);
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class SteppedTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
