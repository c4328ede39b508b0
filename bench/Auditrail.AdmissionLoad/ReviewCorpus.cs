using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Review;

namespace Auditrail.AdmissionLoad;

/// <summary>
/// AdmissionReview bodies of realistic workloads, encoded once before the run: Pods and the pod
/// templates of Deployments, StatefulSets, DaemonSets, Jobs and CronJobs, with one to three containers
/// (app, sidecars, init containers), resources, probes, env, volumes and security contexts, created
/// and updated (an UPDATE carries the old object too, as the apiserver sends it). A fixed seed makes
/// every run send the same mix.
/// </summary>
internal static class ReviewCorpus
{
    private static readonly string[] Teams = ["payments", "search", "checkout", "identity", "data"];
    private static readonly string[] Images = ["registry.example/web:1.4.2", "registry.example/api:2.0.11", "nginx:1.27", "envoyproxy/envoy:v1.31.0", "busybox:latest", "redis:7.4"];

    private static readonly (string Kind, string Group, string Resource)[] Workloads =
    [
        ("Pod", "", "pods"),
        ("Pod", "", "pods"),
        ("Deployment", "apps", "deployments"),
        ("StatefulSet", "apps", "statefulsets"),
        ("DaemonSet", "apps", "daemonsets"),
        ("Job", "batch", "jobs"),
        ("CronJob", "batch", "cronjobs"),
    ];

    public static IReadOnlyList<byte[]> Build(int count, int seed)
    {
        var random = new Random(seed);
        var bodies = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var (kind, group, resource) = Workloads[random.Next(Workloads.Length)];
            var name = $"{Teams[random.Next(Teams.Length)]}-{kind.ToLowerInvariant()}-{i.ToString(CultureInfo.InvariantCulture)}";
            var ns = $"team-{Teams[random.Next(Teams.Length)]}";
            var update = random.Next(4) == 0;
            var obj = Workload(kind, group, name, ns, random);
            JsonNode? old = null;
            if (update)
            {
                old = obj.DeepClone();
                old["metadata"]!["resourceVersion"] = "1200";
            }

            var request = new AdmissionRequest
            {
                Uid = $"{i:x8}-6393-11e8-b7cc-42010a800002",
                Kind = new GroupVersionKind(group, "v1", kind),
                Resource = new GroupVersionResource(group, "v1", resource),
                Name = name,
                Namespace = ns,
                Operation = update ? AdmissionOperation.Update : AdmissionOperation.Create,
                UserInfo = new AdmissionUserInfo(
                    random.Next(3) == 0 ? "system:serviceaccount:argocd:argocd-application-controller" : "alice@example.com",
                    ["system:authenticated", "developers"]),
                Object = Element(obj),
                OldObject = old is null ? null : Element(old),
                Options = Element(new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = update ? "UpdateOptions" : "CreateOptions", ["fieldManager"] = "kubectl-client-side-apply" }),
            };
            var buffer = new ArrayBufferWriter<byte>(4096);
            AdmissionReviewJson.WriteRequest(buffer, AdmissionReviewVersion.V1, request);
            bodies.Add(buffer.WrittenSpan.ToArray());
        }

        return bodies;
    }

    private static JsonElement Element(JsonNode node) => JsonSerializer.SerializeToElement(node);

    private static JsonObject Workload(string kind, string group, string name, string ns, Random random)
    {
        var labels = new JsonObject { ["app.kubernetes.io/name"] = name, ["app.kubernetes.io/part-of"] = "shop" };
        if (random.Next(5) > 0)
        {
            labels["team"] = name.Split('-')[0];
        }

        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = labels,
            ["annotations"] = new JsonObject { ["kubectl.kubernetes.io/last-applied-configuration"] = new string('x', random.Next(200, 900)) },
        };
        var apiVersion = group.Length == 0 ? "v1" : $"{group}/v1";
        if (kind == "Pod")
        {
            return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata, ["spec"] = PodSpec(name, random) };
        }

        var template = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
            ["spec"] = PodSpec(name, random),
        };
        JsonObject spec = kind switch
        {
            "CronJob" => new JsonObject
            {
                ["schedule"] = "*/15 * * * *",
                ["jobTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["backoffLimit"] = 2, ["template"] = template } },
            },
            "Job" => new JsonObject { ["backoffLimit"] = 4, ["template"] = template },
            _ => new JsonObject
            {
                ["replicas"] = random.Next(1, 6),
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = name } },
                ["template"] = template,
            },
        };
        if (kind == "DaemonSet")
        {
            spec.Remove("replicas");
        }

        return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec };
    }

    private static JsonObject PodSpec(string name, Random random)
    {
        var containers = new JsonArray();
        var count = random.Next(1, 4);
        for (var c = 0; c < count; c++)
        {
            containers.Add(Container(c == 0 ? name : $"sidecar-{c.ToString(CultureInfo.InvariantCulture)}", random));
        }

        var spec = new JsonObject
        {
            ["serviceAccountName"] = name,
            ["containers"] = containers,
            ["volumes"] = new JsonArray(
                new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = name + "-config" } },
                new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject() }),
        };
        if (random.Next(2) == 0)
        {
            spec["securityContext"] = new JsonObject
            {
                ["runAsNonRoot"] = true,
                ["runAsUser"] = 10001,
                ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
            };
        }

        if (random.Next(3) == 0)
        {
            spec["initContainers"] = new JsonArray(Container("init-migrate", random));
        }

        return spec;
    }

    private static JsonObject Container(string name, Random random)
    {
        var container = new JsonObject
        {
            ["name"] = name,
            ["image"] = Images[random.Next(Images.Length)],
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080, ["protocol"] = "TCP" }),
            ["env"] = new JsonArray(
                new JsonObject { ["name"] = "LOG_LEVEL", ["value"] = "info" },
                new JsonObject { ["name"] = "DB_PASSWORD", ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = "db", ["key"] = "password" } } }),
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "config", ["mountPath"] = "/etc/app" }),
            ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/healthz", ["port"] = 8080 }, ["periodSeconds"] = 10 },
        };
        if (random.Next(4) > 0)
        {
            container["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "128Mi" },
                ["limits"] = new JsonObject { ["cpu"] = random.Next(5) == 0 ? "16" : "500m", ["memory"] = "256Mi" },
            };
        }

        container["securityContext"] = random.Next(3) switch
        {
            0 => new JsonObject { ["privileged"] = true },
            1 => new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["readOnlyRootFilesystem"] = true,
                ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            },
            _ => new JsonObject { ["runAsUser"] = 0 },
        };
        return container;
    }
}
