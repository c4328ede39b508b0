using System.Text.Json;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Writing;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>
/// The pod spec of a workload, as its template (what controllers send) or as stored (after admission added
/// the service account volume, default tolerations and, in sidecar namespaces, the injected proxy). Fields
/// follow the order of the Go structs.
/// </summary>
internal static class PodSpecJson
{
    private static readonly byte[] DefaultTolerations =
        ("""[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},"""u8
        + """{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]"""u8).ToArray();

    private static readonly byte[] RestrictedContainer =
        ("""{"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"}}"""u8).ToArray();

    private static readonly byte[] PrivilegedContainer = """{"privileged":true}"""u8.ToArray();

    private static readonly byte[] RestrictedPod = """{"runAsUser":10001,"runAsNonRoot":true,"fsGroup":10001,"seccompProfile":{"type":"RuntimeDefault"}}"""u8.ToArray();

    private static readonly byte[] ProjectedToken =
        ("""{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},"""u8
        + """{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},"""u8
        + """{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}"""u8).ToArray();

    /// <summary>The sidecar a mesh injector adds; a large, realistic chunk of the stored pods in those namespaces.</summary>
    private static readonly byte[] MeshSidecar = ObjectJson.JsonBytes(
        "{'name':'istio-proxy','image':'docker.io/istio/proxyv2:1.23.2','args':['proxy','sidecar','--domain',"
        + "'$(POD_NAMESPACE).svc.cluster.local','--proxyLogLevel=warning',"
        + "'--proxyComponentLogLevel=misc:error','--log_output_level=default:info'],"
        + "'ports':[{'name':'http-envoy-prom','containerPort':15090,'protocol':'TCP'}],"
        + "'env':[{'name':'PILOT_CERT_PROVIDER','value':'istiod'},{'name':'CA_ADDR',"
        + "'value':'istiod.istio-system.svc:15012'},{'name':'POD_NAME',"
        + "'valueFrom':{'fieldRef':{'apiVersion':'v1','fieldPath':'metadata.name'}}},{'name':'POD_NAMESPACE',"
        + "'valueFrom':{'fieldRef':{'apiVersion':'v1','fieldPath':'metadata.namespace'}}},"
        + "{'name':'INSTANCE_IP','valueFrom':{'fieldRef':{'apiVersion':'v1','fieldPath':'status.podIP'}}},"
        + "{'name':'SERVICE_ACCOUNT','valueFrom':{'fieldRef':{'apiVersion':'v1',"
        + "'fieldPath':'spec.serviceAccountName'}}},{'name':'HOST_IP',"
        + "'valueFrom':{'fieldRef':{'apiVersion':'v1','fieldPath':'status.hostIP'}}},{'name':'ISTIO_CPU_LIMIT',"
        + "'valueFrom':{'resourceFieldRef':{'resource':'limits.cpu','divisor':'0'}}},{'name':'PROXY_CONFIG',"
        + "'value':'{}\\n'},{'name':'ISTIO_META_POD_PORTS','value':'[\\n]'},{'name':'ISTIO_META_CLUSTER_ID',"
        + "'value':'Kubernetes'},{'name':'ISTIO_META_MESH_ID','value':'cluster.local'},{'name':'TRUST_DOMAIN',"
        + "'value':'cluster.local'}],'resources':{'limits':{'cpu':'2','memory':'1Gi'},'requests':{'cpu':'100m',"
        + "'memory':'128Mi'}},'volumeMounts':[{'name':'workload-socket',"
        + "'mountPath':'/var/run/secrets/workload-spiffe-uds'},{'name':'credential-socket',"
        + "'mountPath':'/var/run/secrets/credential-uds'},{'name':'workload-certs',"
        + "'mountPath':'/var/run/secrets/workload-spiffe-credentials'},{'name':'istiod-ca-cert',"
        + "'mountPath':'/var/run/secrets/istio'},{'name':'istio-data','mountPath':'/var/lib/istio/data'},"
        + "{'name':'istio-envoy','mountPath':'/etc/istio/proxy'},{'name':'istio-token',"
        + "'mountPath':'/var/run/secrets/tokens'},{'name':'istio-podinfo','mountPath':'/etc/istio/pod'}],"
        + "'readinessProbe':{'httpGet':{'path':'/healthz/ready','port':15021,'scheme':'HTTP'},"
        + "'timeoutSeconds':3,'periodSeconds':15,'successThreshold':1,'failureThreshold':4},"
        + "'terminationMessagePath':'/dev/termination-log','terminationMessagePolicy':'File',"
        + "'imagePullPolicy':'IfNotPresent','securityContext':{'capabilities':{'drop':['ALL']},"
        + "'privileged':false,'runAsUser':1337,'runAsGroup':1337,'runAsNonRoot':true,"
        + "'readOnlyRootFilesystem':true,'allowPrivilegeEscalation':false}}");

    /// <summary>The template spec, cached per workload and image: controllers send it again and again.</summary>
    public static void WriteTemplate(Utf8JsonWriter w, Workload workload, bool job = false)
    {
        ObjectJson.Raw(w, "spec"u8, Render(workload, job ? "job-template" : "template", t => Write(t, workload, job, stored: null)));
    }

    /// <summary>A fragment rendered once per workload, purpose and image.</summary>
    public static byte[] Render(Workload workload, string purpose, Action<Utf8JsonWriter> write)
    {
        if (!workload.Rendered.TryGetValue(purpose, out var cached) || cached.Image != workload.Image)
        {
            cached = (workload.Image, JsonOutput.Render(write));
            workload.Rendered[purpose] = cached;
        }

        return cached.Json;
    }

    /// <summary>A pod's spec as the apiserver stores it.</summary>
    public static void WriteStored(Utf8JsonWriter w, PodModel pod, bool job, bool injected, bool bound)
    {
        w.WritePropertyName("spec"u8);
        Write(w, pod.Workload, job, new StoredPod(pod, injected, bound));
    }

    private sealed record StoredPod(PodModel Pod, bool Injected, bool Bound)
    {
        public string ApiAccessVolume { get; } = "kube-api-access-" + Pod.Uid.ToString()[..5];
    }

    private static void Write(Utf8JsonWriter w, Workload workload, bool job, StoredPod? stored)
    {
        w.WriteStartObject();
        if (workload.Port > 0 || stored is not null)
        {
            w.WriteStartArray("volumes"u8);
        }

        if (workload.Port > 0)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, "config"u8);
            w.WriteStartObject("configMap"u8);
            w.WriteString("name"u8, workload.ConfigMapName);
            w.WriteNumber("defaultMode"u8, 420);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (stored is not null)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, stored.ApiAccessVolume);
            ObjectJson.Raw(w, "projected"u8, ProjectedToken);
            w.WriteEndObject();
        }

        if (workload.Port > 0 || stored is not null)
        {
            w.WriteEndArray();
        }

        w.WriteStartArray("containers"u8);
        WriteContainer(w, workload, stored);
        if (stored is { Injected: true })
        {
            w.WriteRawValue(MeshSidecar, skipInputValidation: true);
        }

        w.WriteEndArray();
        w.WriteString("restartPolicy"u8, job ? "OnFailure"u8 : "Always"u8);
        w.WriteNumber("terminationGracePeriodSeconds"u8, 30);
        w.WriteString("dnsPolicy"u8, workload.HostNetwork ? "ClusterFirstWithHostNet"u8 : "ClusterFirst"u8);
        w.WriteString("serviceAccountName"u8, workload.ServiceAccount);
        if (stored is not null)
        {
            w.WriteString("serviceAccount"u8, workload.ServiceAccount);
            if (stored.Bound)
            {
                w.WriteString("nodeName"u8, stored.Pod.Node.Name);
            }
        }

        if (workload.HostNetwork)
        {
            w.WriteBoolean("hostNetwork"u8, true);
        }

        if (workload.Privileged || workload.Kind == WorkloadKind.Static)
        {
            ObjectJson.EmptyObject(w, "securityContext"u8);
        }
        else
        {
            ObjectJson.Raw(w, "securityContext"u8, RestrictedPod);
        }

        w.WriteString("schedulerName"u8, "default-scheduler"u8);
        if (stored is not null)
        {
            ObjectJson.Raw(w, "tolerations"u8, DefaultTolerations);
            w.WriteNumber("priority"u8, 0);
            w.WriteBoolean("enableServiceLinks"u8, true);
            w.WriteString("preemptionPolicy"u8, "PreemptLowerPriority"u8);
        }

        w.WriteEndObject();
    }

    private static void WriteContainer(Utf8JsonWriter w, Workload workload, StoredPod? stored)
    {
        var cache = workload.ImageRepository.EndsWith("redis", StringComparison.Ordinal);
        w.WriteStartObject();
        w.WriteString("name"u8, workload.Container);
        w.WriteString("image"u8, workload.Image);
        if (workload.Port > 0)
        {
            ObjectJson.StringArray(w, "args"u8, "--config=/etc/app/config.yaml", "--log-format=json");
            w.WriteStartArray("ports"u8);
            w.WriteStartObject();
            w.WriteString("name"u8, cache ? "redis"u8 : "http"u8);
            w.WriteNumber("containerPort"u8, workload.Port);
            w.WriteString("protocol"u8, "TCP"u8);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteStartArray("env"u8);
        WriteEnv(w, "APP_ENV", "production");
        WriteEnv(w, "LOG_LEVEL", "info");
        w.WriteStartObject();
        w.WriteString("name"u8, "DATABASE_PASSWORD"u8);
        w.WriteStartObject("valueFrom"u8);
        w.WriteStartObject("secretKeyRef"u8);
        w.WriteString("name"u8, workload.SecretName);
        w.WriteString("key"u8, "password"u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("resources"u8);
        WriteQuantities(w, "limits"u8, cache ? "1" : "1", cache ? "1Gi" : "512Mi");
        WriteQuantities(w, "requests"u8, cache ? "250m" : "100m", cache ? "1Gi" : "256Mi");
        w.WriteEndObject();
        if (workload.Port > 0 || stored is not null)
        {
            // Go omits empty lists, so a container without mounts has no volumeMounts at all.
            w.WriteStartArray("volumeMounts"u8);
            if (workload.Port > 0)
            {
                WriteMount(w, "config", "/etc/app");
            }

            if (stored is not null)
            {
                WriteMount(w, stored.ApiAccessVolume, "/var/run/secrets/kubernetes.io/serviceaccount");
            }

            w.WriteEndArray();
        }
        if (workload.Port > 0 && !cache)
        {
            WriteProbe(w, "livenessProbe"u8, "/healthz", workload.Port);
            WriteProbe(w, "readinessProbe"u8, "/ready", workload.Port);
        }

        w.WriteString("terminationMessagePath"u8, "/dev/termination-log"u8);
        w.WriteString("terminationMessagePolicy"u8, "File"u8);
        w.WriteString("imagePullPolicy"u8, "IfNotPresent"u8);
        ObjectJson.Raw(w, "securityContext"u8, workload.Privileged ? PrivilegedContainer : RestrictedContainer);
        w.WriteEndObject();
    }

    private static void WriteEnv(Utf8JsonWriter w, string name, string value)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, name);
        w.WriteString("value"u8, value);
        w.WriteEndObject();
    }

    private static void WriteQuantities(Utf8JsonWriter w, ReadOnlySpan<byte> property, string cpu, string memory)
    {
        w.WriteStartObject(property);
        w.WriteString("cpu"u8, cpu);
        w.WriteString("memory"u8, memory);
        w.WriteEndObject();
    }

    private static void WriteMount(Utf8JsonWriter w, string name, string path)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, name);
        w.WriteBoolean("readOnly"u8, true);
        w.WriteString("mountPath"u8, path);
        w.WriteEndObject();
    }

    private static void WriteProbe(Utf8JsonWriter w, ReadOnlySpan<byte> property, string path, int port)
    {
        w.WriteStartObject(property);
        w.WriteStartObject("httpGet"u8);
        w.WriteString("path"u8, path);
        w.WriteNumber("port"u8, port);
        w.WriteString("scheme"u8, "HTTP"u8);
        w.WriteEndObject();
        w.WriteNumber("timeoutSeconds"u8, 1);
        w.WriteNumber("periodSeconds"u8, 10);
        w.WriteNumber("successThreshold"u8, 1);
        w.WriteNumber("failureThreshold"u8, 3);
        w.WriteEndObject();
    }
}
