using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Reading;

/// <summary>Event counts on real logs from the shared corpus (copied to tests/data).</summary>
public class CorpusReadingTests
{
    [Theory]
    [InlineData("audit2rbac/demo.log", 37, InputFormat.JsonLines)]
    [InlineData("audit-logs/audit2rbac-demo-2017-v1beta1.jsonl", 757, InputFormat.JsonLines)]
    [InlineData("audit-logs/aks-eventhub-sample-2020.jsonl", 22, InputFormat.JsonLines)]
    [InlineData("cloud-envelopes/aks-diagnostic-records.json", 22, InputFormat.AksDiagnostics)]
    public void Real_logs_are_read_completely_without_diagnostics(string file, int expected, InputFormat format)
    {
        var handler = CollectingHandler.ReadPaths(TestData.Path(file.Split('/')));

        Assert.Empty(handler.Diagnostics);
        Assert.Equal(expected, handler.Events.Count);
        Assert.All(handler.Events, e => Assert.Equal(format, e.Format));
        Assert.All(handler.Events, e => Assert.False(string.IsNullOrEmpty(e.AuditId)));
    }

    [Fact]
    public void Falco_trace_directory_yields_51_events_and_names_the_malformed_file()
    {
        var handler = CollectingHandler.ReadPaths(TestData.FalcoTraces);

        Assert.Equal(51, handler.Events.Count);
        var error = Assert.Single(handler.Errors);
        Assert.EndsWith("fal_01_003.json", error.Source);
        Assert.Equal(DiagnosticCodes.InvalidEvent, error.Code);
        Assert.Equal("$.kind", error.JsonPath);
        Assert.Equal(1, error.Line);

        // The build file beside the traces is noted, not an error: directories hold other files.
        var note = Assert.Single(handler.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
        Assert.EndsWith("CMakeLists.txt", note.Source);
        Assert.Equal(DiagnosticCodes.NotJson, note.Code);
    }

    [Theory]
    [InlineData("create_configmap_sensitive_values.json", 6)]
    [InlineData("create_secret.json", 1)]
    [InlineData("create_nginx_service_nodeport.json", 1)]
    [InlineData("exec_pod.json", 1)]
    public void Falco_trace_files_have_their_event_counts(string file, int expected)
    {
        var handler = CollectingHandler.ReadPaths(Path.Combine(TestData.FalcoTraces, file));

        Assert.Empty(handler.Errors);
        Assert.Equal(expected, handler.Events.Count);
    }

    [Fact]
    public void Aks_envelope_and_unwrapped_sample_hold_the_same_events()
    {
        var wrapped = CollectingHandler.ReadPaths(TestData.Path("cloud-envelopes", "aks-diagnostic-records.json"));
        var plain = CollectingHandler.ReadPaths(TestData.Path("audit-logs", "aks-eventhub-sample-2020.jsonl"));

        Assert.Equal(plain.Events.Select(e => e.AuditId).Order(), wrapped.Events.Select(e => e.AuditId).Order());
        Assert.Equal(plain.Events.Select(e => e.UserName).Order(), wrapped.Events.Select(e => e.UserName).Order());
        Assert.All(wrapped.Locations, l => Assert.StartsWith("$.records[", l.JsonPath));
    }

    [Fact]
    public void V1beta1_events_keep_their_fields()
    {
        var handler = CollectingHandler.ReadPaths(TestData.Path("audit-logs", "audit2rbac-demo-2017-v1beta1.jsonl"));
        var first = handler.Events[0];

        Assert.Equal("audit.k8s.io/v1beta1", first.ApiVersion);
        Assert.Equal("033d17af-082d-4b24-aa22-627752e83d71", first.AuditId);
        Assert.Equal("system:admin", first.UserName);
        Assert.Equal("bob", first.ImpersonatedUserName);
        Assert.Equal(AuditLevel.Metadata, first.Level);
        Assert.Equal("list", first.Verb);
        Assert.Equal("pods", first.Resource);
        Assert.Equal("default", first.Namespace);
        Assert.NotNull(first.StageTimestamp);
    }
}
