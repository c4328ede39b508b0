using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Cli.Hosting;
using Auditrail.Server.Configuration;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary>
/// <c>auditrail serve</c> with the real composition (Pod Security Standards restricted by default, the
/// bundled guardrails, namespaces from files or a watched apiserver), reviewed over HTTP on loopback.
/// </summary>
public sealed class ServeAdmissionTests : IDisposable
{
    private const string Namespaces = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team
          labels: {owner: payments, data-classification: confidential}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: legacy
          labels: {pod-security.kubernetes.io/enforce: privileged}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: secure
          labels: {auditrail.io/sensitive: "true"}
        """;

    private const string CompliantSpec = """
        {"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
         "containers":[{"name":"app","image":"registry.example/app:1.4.2",
           "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}},
           "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}}}]}
        """;

    private const string RootPrivilegedSpec = """
        {"containers":[{"name":"app","image":"registry.example/app:1.4.2",
           "securityContext":{"privileged":true,"runAsUser":0},
           "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}}}]}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-serve-admission-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_root_privileged_pod_is_denied_by_pod_security_and_the_guardrails()
    {
        using var serve = await StartAsync(NamespacesConfig());
        var response = await ReviewAsync(serve, "/validate", Pod("team", RootPrivilegedSpec));

        Assert.False(response.GetProperty("allowed").GetBoolean());
        var message = response.GetProperty("status").GetProperty("message").GetString()!;
        Assert.Contains("violates PodSecurity \"restricted:latest\": privileged (container \"app\" must not set securityContext.privileged=true)", message, StringComparison.Ordinal);
        Assert.Contains("[pod-security/privileged]", message, StringComparison.Ordinal);
        Assert.Contains("[pod-security/runAsNonRoot]", message, StringComparison.Ordinal);
        Assert.Contains("[no-privileged/", message, StringComparison.Ordinal);
        Assert.Contains("[no-root/", message, StringComparison.Ordinal);
        Assert.Equal("restricted:latest", response.GetProperty("auditAnnotations").GetProperty("enforce-policy").GetString());
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task A_compliant_pod_is_allowed_and_a_namespace_unknown_to_the_server_gets_the_defaults()
    {
        using var serve = await StartAsync(NamespacesConfig());

        var allowed = await ReviewAsync(serve, "/validate", Pod("team", CompliantSpec));
        Assert.True(allowed.GetProperty("allowed").GetBoolean(), allowed.ToString());

        // No Namespace object for "elsewhere": its labels are unknown, so the restricted default applies.
        var unknown = await ReviewAsync(serve, "/validate", Pod("elsewhere", RootPrivilegedSpec));
        Assert.False(unknown.GetProperty("allowed").GetBoolean());
        Assert.Contains("[pod-security/privileged]", unknown.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task Mutate_copies_the_namespace_labels_in_a_patch_that_applies()
    {
        using var serve = await StartAsync(NamespacesConfig());
        var pod = Pod("team", CompliantSpec);
        var response = await ReviewAsync(serve, "/mutate", pod);

        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.Equal("JSONPatch", response.GetProperty("patchType").GetString());
        var patch = JsonNode.Parse(Convert.FromBase64String(response.GetProperty("patch").GetString()!))!.AsArray();
        var patched = JsonNode.Parse(pod)!;
        foreach (var operation in patch)
        {
            Apply(patched, operation!);
        }

        var labels = patched["metadata"]!["labels"]!;
        Assert.Equal("payments", labels["compliance.auditrail.io/owner"]!.GetValue<string>());
        Assert.Equal("confidential", labels["compliance.auditrail.io/data-classification"]!.GetValue<string>());
        Assert.Equal("web", labels["app"]!.GetValue<string>());
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task A_namespace_labelled_privileged_lets_a_privileged_pod_through_pod_security_but_not_the_guardrails()
    {
        using var serve = await StartAsync(NamespacesConfig());
        var response = await ReviewAsync(serve, "/validate", Pod("legacy", RootPrivilegedSpec));

        Assert.False(response.GetProperty("allowed").GetBoolean());
        var message = response.GetProperty("status").GetProperty("message").GetString()!;
        Assert.DoesNotContain("PodSecurity", message, StringComparison.Ordinal);
        Assert.Contains("[no-privileged/", message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task An_ingress_without_tls_is_denied_only_in_a_sensitive_namespace()
    {
        using var serve = await StartAsync(NamespacesConfig());

        var sensitive = await ReviewAsync(serve, "/validate", Ingress("secure"));
        Assert.False(sensitive.GetProperty("allowed").GetBoolean());
        Assert.Contains("[sensitive-ingress-tls/tls-present]", sensitive.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);

        var ordinary = await ReviewAsync(serve, "/validate", Ingress("team"));
        Assert.True(ordinary.GetProperty("allowed").GetBoolean(), ordinary.ToString());
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task Namespaces_watched_from_the_apiserver_hold_readiness_and_decide_the_verdict()
    {
        using var api = new FakeNamespaceApiServer(holdLists: true);
        api.Store("secure", """{"auditrail.io/sensitive":"true"}""");
        var config = Config($"kubeconfig: {api.WriteKubeconfig(_dir)}");
        using var serve = await StartAsync(config);
        using var client = new HttpClient { BaseAddress = serve.Server.Addresses[0] };

        using (var notReady = await client.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains("[-]namespaces: the namespaces have not been listed yet", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        api.ReleaseLists();
        await Eventually(async () => (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK);
        var denied = await ReviewAsync(serve, "/validate", Ingress("secure"));
        Assert.False(denied.GetProperty("allowed").GetBoolean());

        // The label is removed in the cluster: the next review sees it through the watch.
        await api.WaitForRequestAsync(FakeNamespaceApiServer.IsWatch);
        api.Send("MODIFIED", "secure", "{}");
        await Eventually(async () => (await ReviewAsync(serve, "/validate", Ingress("secure"))).GetProperty("allowed").GetBoolean());
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task A_guardrail_with_a_problem_refuses_the_start_with_every_problem_and_exit_2()
    {
        var guardrails = Directory.CreateDirectory(Path.Combine(_dir, "guardrails")).FullName;
        File.WriteAllText(Path.Combine(guardrails, "bad.yaml"), """
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: bad}
            spec:
              match: {kinds: [Pod]}
              validations:
                - id: broken
                  expression: object.spec.containers.all(c,
                  message: never compiles
                - id: typo
                  expresion: "true"
            """);
        // A usable guardrail beside the broken one: offline the rest would still run, the webhook must not.
        File.WriteAllText(Path.Combine(guardrails, "good.yaml"), """
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: named}
            spec:
              match: {kinds: [Pod]}
              validations:
                - id: has-name
                  expression: has(object.metadata.name)
                  message: pods need a name
            """);
        var config = Config($"guardrails: [{guardrails}]");
        var error = new StringWriter();
        var context = new CliContext(new StringWriter(), error, () => Stream.Null, interactiveError: false);

        var exit = await Auditrail.Cli.Commands.Serve.ServeCommand.RunAsync(context, config, new ServeOverrides(), onStarted: null, CancellationToken.None);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, exit);
        var text = error.ToString();
        Assert.Contains($"{Path.Combine(guardrails, "bad.yaml")}:10:7 error AR5004 'expression' is required", text, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(guardrails, "bad.yaml")}:11:7 error AR5003 unknown field 'expresion'", text, StringComparison.Ordinal);
        Assert.Contains($"error: 2 problem(s) in the guardrails ({guardrails})", text, StringComparison.Ordinal);
        Assert.Contains("the server was not started", text, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_kubeconfig_refuses_the_start_with_exit_2()
    {
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        File.WriteAllText(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: missing\n");
        var error = new StringWriter();
        var context = new CliContext(new StringWriter(), error, () => Stream.Null, interactiveError: false);

        var exit = await Auditrail.Cli.Commands.Serve.ServeCommand.RunAsync(context, Config($"kubeconfig: {kubeconfig}"), new ServeOverrides(), onStarted: null, CancellationToken.None);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, exit);
        Assert.Contains($"error: cannot use admission.kubeconfig {kubeconfig}:", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", error.ToString(), StringComparison.Ordinal);
    }

    private string NamespacesConfig()
    {
        var namespaces = Path.Combine(_dir, "namespaces.yaml");
        File.WriteAllText(namespaces, Namespaces);
        return Config($"namespaces: [{namespaces}]");
    }

    /// <summary>A serve.yaml with PSS restricted enforced by default, the bundled guardrails, and <paramref name="extra"/> in admission.</summary>
    private string Config(string extra)
    {
        var path = Path.Combine(_dir, "serve.yaml");
        File.WriteAllText(path, $"""
            apiVersion: auditrail.io/v1alpha1
            kind: ServeConfiguration
            listen: 127.0.0.1:0
            logging: {"{"} level: warning {"}"}
            admission:
              failurePolicy: Fail
              timeout: 2s
              podSecurity:
                defaults: {"{"} enforce: restricted {"}"}
              {extra}
            """);
        return path;
    }

    private static Task<RunningServe> StartAsync(string config) => RunningServe.StartAsync(config, new ServeOverrides());

    private static string Pod(string ns, string spec) =>
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":""" + Quote(ns) + ""","labels":{"app":"web"}},"spec":""" + spec + "}";

    private static string Ingress(string ns) =>
        """{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":""" + Quote(ns)
        + """},"spec":{"rules":[{"host":"shop.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"shop","port":{"number":80}}}}]}}]}}""";

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    /// <summary>Posts an AdmissionReview v1 for <paramref name="objectJson"/> (a CREATE by alice) and returns its response.</summary>
    private static async Task<JsonElement> ReviewAsync(RunningServe serve, string path, string objectJson)
    {
        using var obj = JsonDocument.Parse(objectJson);
        var root = obj.RootElement;
        var kind = root.GetProperty("kind").GetString()!;
        var apiVersion = root.GetProperty("apiVersion").GetString()!;
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        var version = apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var resource = kind == "Pod" ? "pods" : "ingresses";
        var metadata = root.GetProperty("metadata");
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = resource },
            ["name"] = metadata.GetProperty("name").GetString(),
            ["namespace"] = metadata.GetProperty("namespace").GetString(),
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "alice", ["groups"] = new JsonArray("system:authenticated") },
            ["object"] = JsonNode.Parse(objectJson),
        };
        var review = new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
        using var client = new HttpClient { BaseAddress = serve.Server.Addresses[0] };
        using var content = new StringContent(review, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("response").Clone();
    }

    /// <summary>RFC 6902 add and replace, the operations the mutations emit, applied independently of the server's code.</summary>
    private static void Apply(JsonNode document, JsonNode operation)
    {
        var op = operation["op"]!.GetValue<string>();
        Assert.True(op is "add" or "replace", $"unexpected operation {op}");
        var segments = operation["path"]!.GetValue<string>().Split('/').Skip(1).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
        var parent = document;
        foreach (var segment in segments[..^1])
        {
            parent = parent[segment] ?? throw new InvalidOperationException($"patch path {operation["path"]} does not exist");
        }

        parent.AsObject()[segments[^1]] = operation["value"]!.DeepClone();
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
