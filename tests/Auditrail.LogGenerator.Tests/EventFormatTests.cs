using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Auditrail.LogGenerator.Tests;

public partial class EventFormatTests
{
    private static readonly string[] RequiredFields =
        ["kind", "apiVersion", "level", "auditID", "stage", "requestURI", "verb", "user", "sourceIPs", "requestReceivedTimestamp", "stageTimestamp"];

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")]
    private static partial Regex MicroTime();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidV4();

    [Fact]
    public void Every_line_is_a_UTF8_JSON_event_that_starts_with_kind_and_apiVersion()
    {
        var log = Samples.Workday;
        Assert.False(log.Bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte order mark");
        Assert.Equal((byte)'\n', log.Bytes[^1]);
        var prefix = """{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"""u8.ToArray();
        foreach (var line in log.Lines)
        {
            Assert.True(line.AsSpan().StartsWith(prefix), Encoding.UTF8.GetString(line));
        }

        foreach (var e in log.Events)
        {
            foreach (var field in RequiredFields)
            {
                Assert.True(e.TryGetProperty(field, out _), $"{field} missing in {e}");
            }
        }
    }

    [Fact]
    public void Timestamps_are_microsecond_UTC_and_never_go_back()
    {
        var previous = DateTimeOffset.MinValue;
        foreach (var e in Samples.Workday.Events)
        {
            var received = e.Str("requestReceivedTimestamp")!;
            var stage = e.Str("stageTimestamp")!;
            Assert.Matches(MicroTime(), received);
            Assert.Matches(MicroTime(), stage);
            var stageTime = DateTimeOffset.Parse(stage, CultureInfo.InvariantCulture);
            Assert.True(DateTimeOffset.Parse(received, CultureInfo.InvariantCulture) <= stageTime, e.ToString());
            Assert.True(stageTime >= previous, $"{stage} comes after {previous:O}");
            previous = stageTime;
        }
    }

    [Fact]
    public void The_log_starts_at_the_configured_start()
    {
        var first = DateTimeOffset.Parse(Samples.Workday.Events[0].Str("requestReceivedTimestamp")!, CultureInfo.InvariantCulture);
        Assert.InRange(first - Samples.WorkdayOptions.Start, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Audit_ids_are_version_4_uuids_unique_per_request()
    {
        var log = Samples.Workday;
        foreach (var e in log.Events)
        {
            Assert.Matches(UuidV4(), e.Str("auditID")!);
        }

        var requests = log.Events.Select(e => e.Str("auditID")).Distinct().Count();
        Assert.Equal(log.Stats.Requests, requests);
    }

    [Fact]
    public void Query_strings_escape_ampersands_the_way_Go_does()
    {
        var watches = Samples.Workday.Lines.Where(line => line.AsSpan().IndexOf("watch=true"u8) >= 0).ToList();
        Assert.NotEmpty(watches);
        Assert.All(watches, line => Assert.True(line.AsSpan().IndexOf("\\u0026watch=true"u8) >= 0));
    }

    [Fact]
    public void Annotations_are_sorted_like_a_Go_map()
    {
        foreach (var e in Samples.Workday.Events)
        {
            if (e.Obj("annotations") is { } annotations)
            {
                var keys = annotations.EnumerateObject().Select(p => p.Name).ToList();
                Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
            }
        }
    }

    [Fact]
    public void Authorized_requests_record_the_decision_and_reason()
    {
        foreach (var e in Samples.Workday.Events.Where(e => e.Str("stage") != "RequestReceived" && e.Code() != 401))
        {
            var annotations = e.Obj("annotations");
            Assert.True(annotations is not null, e.ToString());
            var decision = annotations.Value.Str("authorization.k8s.io/decision");
            Assert.Contains(decision, (string[])["allow", "forbid"]);
            Assert.NotNull(annotations.Value.Str("authorization.k8s.io/reason"));
            if (decision == "forbid")
            {
                Assert.Equal(403, e.Code());
            }
        }
    }

    [Fact]
    public void RBAC_reasons_name_the_binding_role_and_subject()
    {
        var reasons = Samples.Workday.Events
            .Select(e => e.Obj("annotations")?.Str("authorization.k8s.io/reason"))
            .Where(r => !string.IsNullOrEmpty(r))
            .ToHashSet();
        Assert.Contains(
            "RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\" of ClusterRole \"system:kube-controller-manager\" to User \"system:kube-controller-manager\"",
            reasons);
        Assert.Contains(
            "RBAC: allowed by ClusterRoleBinding \"system:controller:replicaset-controller\" of ClusterRole "
            + "\"system:controller:replicaset-controller\" to ServiceAccount \"replicaset-controller/kube-system\"",
            reasons);
        Assert.All(reasons, r => Assert.StartsWith("RBAC: allowed by ", r, StringComparison.Ordinal));
    }

    [Fact]
    public void Non_resource_requests_have_no_object_reference()
    {
        var paths = Samples.Workday.Events.Where(e => e.Str("requestURI") is "/livez" or "/readyz" or "/healthz" or "/metrics" or "/version?timeout=32s" or "/api" or "/apis").ToList();
        Assert.NotEmpty(paths);
        Assert.All(paths, e => Assert.False(e.TryGetProperty("objectRef", out _)));
    }

    [Fact]
    public void Forbidden_responses_carry_a_Status_like_the_apiserver_writes()
    {
        var forbidden = Samples.Workday.Events.Where(e => e.Code() == 403 && e.Resource() is not null).ToList();
        Assert.NotEmpty(forbidden);
        foreach (var e in forbidden)
        {
            var status = e.Obj("responseStatus")!.Value;
            Assert.Equal("Failure", status.Str("status"));
            Assert.Equal("Forbidden", status.Str("reason"));
            Assert.Contains(" is forbidden: ", status.Str("message"), StringComparison.Ordinal);
            Assert.NotNull(status.Obj("details"));
        }
    }

    [Fact]
    public void Request_and_response_bodies_appear_only_at_the_levels_that_log_them()
    {
        foreach (var e in Samples.Workday.Events)
        {
            var level = e.Str("level");
            if (e.TryGetProperty("requestObject", out _))
            {
                Assert.NotEqual("Metadata", level);
            }

            if (e.TryGetProperty("responseObject", out _))
            {
                Assert.Equal("RequestResponse", level);
                Assert.Equal("ResponseComplete", e.Str("stage"));
            }
        }
    }

    [Fact]
    public void Go_omits_empty_lists_so_the_log_never_shows_them()
    {
        foreach (var line in Samples.Workday.Lines)
        {
            Assert.True(line.AsSpan().IndexOf("[]"u8) < 0, Encoding.UTF8.GetString(line));
        }
    }
}
