using System.Text.Json;
using Auditrail.Cel.Runtime;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Falco;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Tests.Support;

namespace Auditrail.Detection.Tests.Falco;

/// <summary>Every Falco k8saudit field has a CEL reading that never fails, on every event of Falco's traces.</summary>
public class FalcoFieldTests
{
    private static readonly List<Core.Model.AuditEvent> Traces = Events.ReadPath(Events.FalcoTraces);

    public static TheoryData<string, string?> CatalogFields()
    {
        var data = new TheoryData<string, string?>();
        using var document = JsonDocument.Parse(File.ReadAllText(FalcoRules.Data("fields.json")));
        foreach (var field in document.RootElement.GetProperty("fields").EnumerateArray())
        {
            // Our cluster name comes from log envelopes and cannot be tested for presence; see ClusterName below.
            if (field.GetProperty("name").GetString() == "ka.cluster.name")
            {
                continue;
            }

            var arg = field.GetProperty("arg").ValueKind == JsonValueKind.String ? field.GetProperty("arg").GetString() : null;
            data.Add(field.GetProperty("name").GetString()!, arg == "required" ? "command" : null);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogFields))]
    public void Every_k8saudit_field_reads_without_errors_on_every_trace_event(string field, string? argument)
    {
        var reference = argument is null ? field : $"{field}[{argument}]";
        var set = FalcoRules.Compile(FalcoRules.Translate(
            FalcoRules.Rule($"{reference} exists")
            + $"- rule: u\n  desc: u\n  condition: not {reference} exists\n  output: \"v=%{reference}\"\n  priority: INFO\n  source: k8s_audit\n"));
        var exists = set.Rules.Single(r => r.Definition.Name == "t");
        var missing = set.Rules.Single(r => r.Definition.Name == "u");
        foreach (var auditEvent in Traces)
        {
            var activation = new AuditEventActivation(set.Environment).Reset(auditEvent);
            var present = exists.Condition.Evaluate(activation);
            var absent = missing.Condition.Evaluate(activation);
            Assert.True(present.Kind == CelKind.Bool && absent.Kind == CelKind.Bool, $"{reference} on {auditEvent.AuditId}: {present} / {absent}");
            Assert.NotEqual(present.AsBool, absent.AsBool);
            var rendered = missing.Output.Render(auditEvent);
            Assert.StartsWith("v=", rendered);
            Assert.Equal(present.AsBool, rendered != "v=<NA>");
        }
    }

    [Fact]
    public void The_cluster_name_is_the_cluster_the_log_envelope_names()
    {
        var gke = Events.ReadPath(Path.Combine(AppContext.BaseDirectory, "data", "cloud-envelopes")).First(e => e.Cluster is not null);
        Assert.True(FalcoRules.Holds($"ka.cluster.name = \"{gke.Cluster}\"", gke));
        Assert.False(FalcoRules.Holds("ka.cluster.name = other", gke));
    }

    [Fact]
    public void The_event_time_is_never_zero_in_old_logs_either()
    {
        // v1beta1 events carry "timestamp" instead of "stageTimestamp"; "jevt.rawtime=0" is how Falco's rules say "never".
        var old = Events.ReadPath(Path.Combine(AppContext.BaseDirectory, "data", "audit-logs", "audit2rbac-demo-2017-v1beta1.jsonl"))[0];
        Assert.False(FalcoRules.Holds("jevt.rawtime = 0", old));
        Assert.True(FalcoRules.Holds("jevt.rawtime exists", old));
        Assert.True(FalcoRules.Holds("jevt.rawtime = 1505159705000000000", old));
    }

    [Fact]
    public void The_field_list_covers_every_field_of_the_plugin_and_the_json_fields()
    {
        var names = FalcoFields.Names.ToHashSet();
        Assert.All(CatalogFields(), row => Assert.Contains((string)row[0]!, names));
        Assert.Contains("ka.cluster.name", names);
        Assert.Contains("jevt.value", names);
        Assert.Contains("json.obj", names);
        Assert.Contains("ka.req.pod.initContainers.privileged", names);
        Assert.Contains("ka.req.pod.ephemeralContainers.image", names);
    }
}
