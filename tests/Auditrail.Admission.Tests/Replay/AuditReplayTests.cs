using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Replay;
using Auditrail.Admission.Review;
using Auditrail.Core.Reading;

namespace Auditrail.Admission.Tests.Replay;

/// <summary>Replaying audit history through the bundled guardrails.</summary>
public sealed class AuditReplayTests : IDisposable
{
    private static readonly string Default = Path.Combine(AppContext.BaseDirectory, "guardrails", "default");
    private readonly string _dir = Directory.CreateTempSubdirectory("replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AdmissionPipeline Compose(GuardrailSet set, INamespaceSource namespaces) =>
        new(new AdmissionContext(namespaces), set.Guardrails.Where(g => g.HasValidations), set.Guardrails.Where(g => g.HasMutations));

    private const string RootPod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"root","namespace":"team-a"},"spec":{"containers":[{"name":"app","image":"app:1.0","securityContext":{"runAsUser":0,"runAsNonRoot":true},"resources":{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}}]}}""";
    private const string GoodDeployment = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"team-a"},"spec":{"template":{"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"app","image":"app:1.0","resources":{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}}]}}}}""";

    private static string Event(string auditId, string verb, string resource, string ns, string? name, int code, string level = "Request",
        string stage = "ResponseComplete", string? request = null, string? response = null, string user = "alice", string? impersonated = null,
        string group = "", string? subresource = null, string time = "2024-05-01T10:00:00Z")
    {
        var objectRef = $$$"""{"resource":"{{{resource}}}","namespace":"{{{ns}}}"{{{(name is null ? "" : $",\"name\":\"{name}\"")}}},"apiGroup":"{{{group}}}","apiVersion":"v1"{{{(subresource is null ? "" : $",\"subresource\":\"{subresource}\"")}}}}""";
        var parts = new List<string>
        {
            "\"kind\":\"Event\"", "\"apiVersion\":\"audit.k8s.io/v1\"", $"\"level\":\"{level}\"", $"\"auditID\":\"{auditId}\"", $"\"stage\":\"{stage}\"",
            $"\"requestURI\":\"/api/v1/namespaces/{ns}/{resource}\"", $"\"verb\":\"{verb}\"",
            $$"""
            "user":{"username":"{{user}}","groups":["system:authenticated","devs"]}
            """.Trim(),
            $"\"objectRef\":{objectRef}", $$"""
            "responseStatus":{"metadata":{},"code":{{code}}}
            """.Trim(),
            $"\"requestReceivedTimestamp\":\"{time}\"", $"\"stageTimestamp\":\"{time}\"",
        };
        if (impersonated is not null)
        {
            parts.Add($$"""
                "impersonatedUser":{"username":"{{impersonated}}","groups":["system:authenticated"]}
                """.Trim());
        }

        if (request is not null)
        {
            parts.Add($"\"requestObject\":{request}");
        }

        if (response is not null)
        {
            parts.Add($"\"responseObject\":{response}");
        }

        return "{" + string.Join(",", parts) + "}";
    }

    private ReplayReport Replay(IEnumerable<string> events, DateTimeOffset? since = null)
    {
        var path = Path.Combine(_dir, "audit.log");
        File.WriteAllLines(path, events);
        var replay = new AuditReplay(GuardrailSet.Load([Default]), null, Compose, since);
        new AuditLogReader().ReadPaths([path], replay);
        return replay.Report;
    }

    [Fact]
    public void A_request_level_create_of_a_root_pod_would_have_been_denied_by_whom_and_when()
    {
        var report = Replay([
            Event("a1", "create", "pods", "team-a", null, 201, stage: "RequestReceived", request: RootPod),
            Event("a1", "create", "pods", "team-a", null, 201, request: RootPod),
        ]);

        Assert.Equal((2, 1, 1), (report.EventsRead, report.Candidates, report.Replayed));
        var denial = Assert.Single(report.WouldDeny);
        Assert.Equal(("a1", "alice", "create", "pods", "team-a", "root"), (denial.AuditId, denial.User, denial.Verb, denial.Resource, denial.Namespace, denial.Name));
        Assert.Equal(DateTimeOffset.Parse("2024-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), denial.Time);
        Assert.Equal(("no-root", "run-as-user-not-zero"), (Assert.Single(denial.Findings).Source, denial.Findings[0].CheckId));
        Assert.Equal(1, report.WouldDenyByGuardrail["no-root"]);
    }

    [Fact]
    public void A_patch_without_responseObject_is_not_replayable_and_one_with_it_is()
    {
        var patchBody = """{"spec":{"replicas":3}}""";
        var report = Replay([
            Event("p1", "patch", "deployments", "team-a", "web", 200, group: "apps", request: patchBody),
            Event("p2", "patch", "deployments", "team-a", "web", 200, level: "RequestResponse", group: "apps", request: patchBody, response: GoodDeployment),
            Event("p3", "patch", "deployments", "team-a", "web", 200, level: "RequestResponse", group: "apps", request: patchBody,
                response: GoodDeployment.Replace("\"runAsNonRoot\":true", "\"runAsNonRoot\":false", StringComparison.Ordinal)),
        ]);

        Assert.Equal((3, 2), (report.Candidates, report.Replayed));
        Assert.Equal(1, report.NotReplayable["patch without responseObject (needs RequestResponse level)"]);
        Assert.Equal(("p3", "deployments.apps"), (Assert.Single(report.WouldDeny).AuditId, report.WouldDeny[0].Resource));
    }

    [Fact]
    public void Metadata_level_creates_subresources_and_refused_patches_are_counted_with_their_reasons()
    {
        var status = """{"kind":"Status","apiVersion":"v1","status":"Failure","code":422}""";
        var report = Replay([
            Event("m1", "create", "pods", "team-a", null, 201, level: "Metadata"),
            Event("m2", "create", "pods", "team-a", "root", 201, subresource: "binding", request: """{"kind":"Binding","apiVersion":"v1"}"""),
            Event("m3", "patch", "deployments", "team-a", "web", 422, level: "RequestResponse", group: "apps", request: "{}", response: status),
            Event("m4", "create", "configmaps", "team-a", null, 201, request: """{"kind":"ConfigMap","apiVersion":"v1"}"""),
        ]);

        Assert.Equal((4, 3, 0), (report.EventsRead, report.Candidates, report.Replayed));
        Assert.Equal(1, report.NotReplayable["create without requestObject (Metadata level)"]);
        Assert.Equal(1, report.NotReplayable["create of a subresource (binding)"]);
        Assert.Equal(1, report.NotReplayable["patch refused by the apiserver (the response is a Status, not the object)"]);
    }

    [Fact]
    public void Requests_the_apiserver_refused_are_shown_apart_from_would_deny()
    {
        var report = Replay([Event("r1", "create", "pods", "team-a", null, 403, request: RootPod)]);

        Assert.Empty(report.WouldDeny);
        Assert.Empty(report.WouldDenyByGuardrail);
        Assert.Equal(403, Assert.Single(report.RefusedAnyway).ResponseCode);
    }

    [Fact]
    public void Impersonated_requests_are_judged_as_the_impersonated_user()
    {
        var report = Replay([Event("i1", "create", "pods", "team-a", null, 201, request: RootPod, user: "admin", impersonated: "bob")]);

        var denial = Assert.Single(report.WouldDeny);
        Assert.Equal(("bob", "admin"), (denial.User, denial.ImpersonatedBy));
    }

    [Fact]
    public void Namespace_labels_are_learned_from_the_log_as_they_change()
    {
        var sensitive = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"vault","labels":{"auditrail.io/sensitive":"true"}}}""";
        var claim = """{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"vault"},"spec":{"storageClassName":"standard"}}""";
        var report = Replay([
            Event("c1", "create", "persistentvolumeclaims", "vault", null, 201, request: claim, time: "2024-05-01T09:00:00Z"),
            Event("n1", "create", "namespaces", "", null, 201, request: sensitive, time: "2024-05-01T09:30:00Z"),
            Event("c2", "create", "persistentvolumeclaims", "vault", null, 201, request: claim, time: "2024-05-01T10:00:00Z"),
        ]);

        // Before the namespace was labelled sensitive the claim was fine; after, it would have been denied.
        var denial = Assert.Single(report.WouldDeny);
        Assert.Equal(("c2", "sensitive-pvc-encryption"), (denial.AuditId, denial.Findings[0].Source));
    }

    [Fact]
    public void Events_before_since_are_left_out()
    {
        var report = Replay(
            [Event("s1", "create", "pods", "team-a", null, 201, request: RootPod, time: "2024-04-01T00:00:00Z")],
            since: DateTimeOffset.Parse("2024-05-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal((0, 0), (report.EventsRead, report.Candidates));
    }

    /// <summary>
    /// Falco's k8s audit traces (2018–2020 minikube captures): the only corpus logs with workload
    /// bodies. Eleven creates are replayable (ten pods the replicaset controller created, one
    /// extensions/v1beta1 Deployment); all use untagged images without securityContext or resources.
    /// </summary>
    [Fact]
    public void The_falco_traces_replay_to_eleven_would_be_denials()
    {
        var diagnostics = new List<ReadDiagnostic>();
        var replay = new AuditReplay(GuardrailSet.Load([Default]), null, Compose, onDiagnostic: diagnostics.Add);

        new AuditLogReader().ReadPaths([Path.Combine(AppContext.BaseDirectory, "data", "falco-k8saudit", "trace_files")], replay);

        // The malformed trace is reported and the rest replayed.
        Assert.Contains(diagnostics, d => d.ToString().Contains("fal_01_003.json", StringComparison.Ordinal));

        var report = replay.Report;
        Assert.Equal((51, 11, 11), (report.EventsRead, report.Candidates, report.Replayed));
        Assert.Equal(11, report.WouldDeny.Count);
        Assert.Equal(11, report.WouldDenyByGuardrail["no-root"]);
        Assert.Equal(11, report.WouldDenyByGuardrail["image-tags"]);
        Assert.Equal(11, report.WouldDenyByGuardrail["resources"]);
        Assert.Equal(3, report.WouldDenyByGuardrail["no-privileged"]);
        Assert.Equal(10, report.WouldDeny.Count(d => d.User == "system:serviceaccount:kube-system:replicaset-controller"));
        Assert.Contains(report.WouldDeny, d => d is { Resource: "deployments.extensions", User: "minikube-user", Name: "nginx-deployment" });
    }

    /// <summary>The other corpus logs carry no workload bodies: RBAC and configmap writes at Metadata level.</summary>
    [Theory]
    [InlineData("audit-logs/audit2rbac-demo-2017-v1beta1.jsonl", 757)]
    [InlineData("audit-logs/aks-eventhub-sample-2020.jsonl", 22)]
    [InlineData("audit2rbac/demo.log", 37)]
    public void Logs_without_guarded_kinds_replay_to_nothing(string file, int events)
    {
        var replay = new AuditReplay(GuardrailSet.Load([Default]), null, Compose);

        new AuditLogReader().ReadPaths([Path.Combine(AppContext.BaseDirectory, "data", file)], replay);

        Assert.Equal((events, 0), (replay.Report.EventsRead, replay.Report.Candidates));
    }
}
