using System.Text.Json;
using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.PodSecurity.Input;
using Auditrail.Admission.Review;
using BenchmarkDotNet.Attributes;

namespace Auditrail.Benchmarks;

/// <summary>
/// Pod Security Standards at restricted:latest on a typical workload pod (an init container, two
/// containers with probes and ports, a projected token, a config map and an emptyDir, hardened so
/// that it passes, which is the common case and runs every check to the end). Three layers: the checks
/// on an already decoded pod, decoding plus checks from the JSON, and the whole admission check
/// (namespace labels, enforce + audit + warn sharing one evaluation).
/// </summary>
[MemoryDiagnoser]
public class PodSecurityBenchmarks
{
    private const string TypicalPod = """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"checkout-7d9f8b6c5-x2k4q","namespace":"shop","labels":{"app":"checkout","pod-template-hash":"7d9f8b6c5"},
                     "annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9090"}},
         "spec":{"serviceAccountName":"checkout","automountServiceAccountToken":false,
                 "securityContext":{"runAsNonRoot":true,"runAsUser":10001,"fsGroup":10001,"seccompProfile":{"type":"RuntimeDefault"}},
                 "initContainers":[{"name":"migrate","image":"registry.example.com/checkout-migrate:2.4.1",
                   "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}],
                 "containers":[
                   {"name":"app","image":"registry.example.com/checkout:2.4.1","ports":[{"name":"http","containerPort":8080},{"name":"metrics","containerPort":9090}],
                    "resources":{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"cpu":"1","memory":"512Mi"}},
                    "livenessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":10},
                    "readinessProbe":{"httpGet":{"path":"/ready","port":8080}},
                    "volumeMounts":[{"name":"config","mountPath":"/etc/checkout"},{"name":"tmp","mountPath":"/tmp"},{"name":"token","mountPath":"/var/run/secrets/tokens"}],
                    "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}},
                   {"name":"proxy","image":"registry.example.com/envoy:1.31","ports":[{"containerPort":15001}],
                    "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"],"add":["NET_BIND_SERVICE"]}}}],
                 "volumes":[{"name":"config","configMap":{"name":"checkout"}},{"name":"tmp","emptyDir":{"medium":"Memory"}},
                            {"name":"token","projected":{"sources":[{"serviceAccountToken":{"path":"token","expirationSeconds":3600}}]}}]}}
        """;

    private static readonly PodSecurityLevelVersion Restricted = new(PodSecurityLevel.Restricted, PodSecurityVersion.Latest);

    private JsonDocument _document = null!;
    private JsonElement _metadata;
    private JsonElement _spec;
    private PodSecurityInput _decoded = null!;
    private AdmissionRequest _request = null!;
    private AdmissionContext _context = null!;
    private PodSecurityAdmissionCheck _check = null!;

    [GlobalSetup]
    public void Setup()
    {
        _document = JsonDocument.Parse(TypicalPod);
        _metadata = _document.RootElement.GetProperty("metadata");
        _spec = _document.RootElement.GetProperty("spec");
        _decoded = PodSecurityInputReader.Read(_metadata, "metadata", _spec, "spec");
        _request = new AdmissionRequest
        {
            Uid = "5f0c1b2e-0000-4000-8000-000000000001",
            Kind = new GroupVersionKind("", "v1", "Pod"),
            Resource = new GroupVersionResource("", "v1", "pods"),
            Namespace = "shop",
            Operation = AdmissionOperation.Create,
            UserInfo = new AdmissionUserInfo("system:serviceaccount:kube-system:replicaset-controller", ["system:serviceaccounts"]),
            Object = _document.RootElement,
        };
        var ns = JsonDocument.Parse("""
            {"metadata":{"name":"shop","labels":{"pod-security.kubernetes.io/enforce":"restricted","pod-security.kubernetes.io/warn":"restricted","pod-security.kubernetes.io/audit":"restricted"}}}
            """).RootElement;
        _context = new AdmissionContext(new SingleNamespace(ns));
        _check = new PodSecurityAdmissionCheck();
        if (!PodSecurityEvaluator.Evaluate(PodSecurityLevel.Restricted, PodSecurityVersion.Latest, _metadata, _spec).Allowed)
        {
            throw new InvalidOperationException("the typical pod must pass restricted");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    /// <summary>The checks alone, on a pod decoded beforehand.</summary>
    [Benchmark(Baseline = true)]
    public bool Checks() => PodSecurityEvaluator.Evaluate(Restricted, _decoded).Allowed;

    /// <summary>Decoding the pod's JSON and running the checks: the public evaluator entry point.</summary>
    [Benchmark]
    public bool DecodeAndCheck() => PodSecurityEvaluator.Evaluate(PodSecurityLevel.Restricted, PodSecurityVersion.Latest, _metadata, _spec).Allowed;

    /// <summary>The admission check a webhook runs per pod CREATE: labels, decoding, one shared evaluation for three modes.</summary>
    [Benchmark]
    public int AdmissionCheck()
    {
        var result = new AdmissionCheckResult();
        _check.Validate(_request, _context, result);
        return result.Findings.Count;
    }

    private sealed class SingleNamespace(JsonElement ns) : INamespaceSource
    {
        public JsonElement? FindNamespace(string name) => name == "shop" ? ns : null;
    }
}
