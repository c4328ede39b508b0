using Auditrail.Server.Admission;
using Auditrail.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Tests.Configuration;

public sealed class ServeConfigurationLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void No_file_gives_the_defaults_loopback_plain_http_fail_closed_2s()
    {
        var result = ServeConfigurationLoader.Load(null);
        Assert.True(result.IsValid);
        var configuration = result.Configuration!;
        Assert.Equal("127.0.0.1:8443", Assert.Single(configuration.Listen).ToString());
        Assert.Null(configuration.Tls);
        Assert.Equal(FailurePolicy.Fail, configuration.Admission.FailurePolicy);
        Assert.Equal(TimeSpan.FromSeconds(2), configuration.Admission.TimeBudget);
        Assert.Equal("privileged:latest", configuration.Admission.PodSecurity.Defaults.Enforce.ToString());
    }

    [Fact]
    public void Full_file_is_read_with_paths_resolved_against_its_folder()
    {
        Write("tls.crt", "x");
        Write("tls.key", "x");
        Directory.CreateDirectory(Path.Combine(_directory, "guardrails"));
        Write("namespaces.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n");
        var path = Write("serve.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: ServeConfiguration
            listen: ["0.0.0.0:8443", "[::]:8443"]
            tls:
              certFile: tls.crt
              keyFile: tls.key
              reloadInterval: 30s
            shutdownTimeout: 25s
            logging: { level: debug, format: text }
            admission:
              failurePolicy: Ignore
              timeout: 1500ms
              maxRequestBytes: 4Mi
              maxNestingDepth: 100
              guardrails: [guardrails]
              namespaces: [namespaces.yaml, guardrails]
              podSecurity:
                enforceOnTemplates: true
                defaults:
                  enforce: baseline
                  enforce-version: v1.29
                  audit: restricted
                  warn: restricted
                  warn-version: latest
                exemptions:
                  usernames: ["system:serviceaccount:kube-system:replicaset-controller"]
                  namespaces: [kube-system, auditrail]
                  runtimeClasses: [kata.containers]
            """);
        var result = ServeConfigurationLoader.Load(path);
        Assert.Empty(result.Problems);
        var configuration = result.Configuration!;
        Assert.Equal(["0.0.0.0:8443", "[::]:8443"], configuration.Listen.Select(l => l.ToString()));
        Assert.Equal(Path.Combine(_directory, "tls.crt"), configuration.Tls!.CertificateFile);
        Assert.Equal(TimeSpan.FromSeconds(30), configuration.Tls.ReloadInterval);
        Assert.Equal(TimeSpan.FromSeconds(25), configuration.ShutdownTimeout);
        Assert.Equal((LogLevel.Debug, LogFormat.Text), (configuration.Logging.Level, configuration.Logging.Format));
        var admission = configuration.Admission;
        Assert.Equal(FailurePolicy.Ignore, admission.FailurePolicy);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), admission.TimeBudget);
        Assert.Equal(4 * 1024 * 1024, admission.MaxRequestBytes);
        Assert.Equal(100, admission.MaxNestingDepth);
        Assert.Equal([Path.Combine(_directory, "guardrails")], admission.GuardrailDirectories);
        Assert.Equal("baseline:v1.29", admission.PodSecurity.Defaults.Enforce.ToString());
        Assert.Equal("restricted:latest", admission.PodSecurity.Defaults.Audit.ToString());
        Assert.Equal(["kube-system", "auditrail"], admission.PodSecurity.ExemptNamespaces);
        Assert.Equal(["kata.containers"], admission.PodSecurity.ExemptRuntimeClasses);
        Assert.True(admission.PodSecurity.EnforceOnTemplates);
        Assert.Equal([Path.Combine(_directory, "namespaces.yaml"), Path.Combine(_directory, "guardrails")], admission.NamespaceFiles);
        Assert.Null(admission.Kubeconfig);
    }

    [Fact]
    public void Pod_security_on_templates_is_off_by_default_as_upstream()
    {
        var result = ServeConfigurationLoader.Load(Write("serve.yaml", "apiVersion: auditrail.io/v1alpha1\nkind: ServeConfiguration\nadmission:\n  podSecurity: {defaults: {enforce: restricted}}\n"));
        Assert.Empty(result.Problems);
        Assert.False(result.Configuration!.Admission.PodSecurity.EnforceOnTemplates);
        Assert.Equal("restricted:latest", result.Configuration.Admission.PodSecurity.Defaults.Enforce.ToString());
    }

    [Fact]
    public void Namespaces_come_from_files_or_the_cluster_not_both()
    {
        Write("kubeconfig", "apiVersion: v1\nkind: Config\n");
        var path = Write("serve.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: ServeConfiguration
            admission:
              namespaces: missing-namespaces
              kubeconfig: kubeconfig
              podSecurity: {enforceOnTemplates: yes}
            """);
        var problems = ServeConfigurationLoader.Load(path).Problems.Select(p => p.ToString()).ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.EndsWith($"admission.namespaces: no such file or directory: {Path.Combine(_directory, "missing-namespaces")}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(":5:15 error AR7005 admission.kubeconfig: give admission.namespaces (static Namespace objects) or admission.kubeconfig", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("admission.podSecurity.enforceOnTemplates: expected true or false, found 'yes'", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_listed_with_its_line_and_field()
    {
        var path = Write("bad.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: ServeConfiguration
            listen: example.com:8443
            tls:
              certFile: missing.crt
              keyFile: missing.key
            admission:
              failurePolicy: fail
              timeout: 2
              maxRequestBytes: lots
              failurPolicy: Ignore
              guardrails: ./nowhere
              podSecurity:
                defaults:
                  enforce: strict
                  enforce-version: "1.29"
                exemptions:
                  namespaces: [Kube_System, ok, ok]
                  usernames: [""]
            """);
        var result = ServeConfigurationLoader.Load(path);
        Assert.False(result.IsValid);
        Assert.Null(result.Configuration);
        var lines = result.Problems.Select(p => p.ToString()).ToList();
        string[] expected =
        [
            "bad.yaml:3:9 error AR7005 listen: 'example.com' in 'example.com:8443' is not an IP address or localhost",
            "bad.yaml:5:13 error AR7006 tls.certFile: no such file",
            "bad.yaml:6:12 error AR7006 tls.keyFile: no such file",
            "bad.yaml:8:18 error AR7005 admission.failurePolicy: expected Fail or Ignore, found 'fail' (values are case-sensitive: Fail)",
            "bad.yaml:9:12 error AR7005 admission.timeout: '2' is not a duration",
            "bad.yaml:10:20 error AR7005 admission.maxRequestBytes: 'lots' is not a byte quantity",
            "bad.yaml:11:3 error AR7003 admission.failurPolicy: unknown field (did you mean failurePolicy?)",
            "bad.yaml:12:15 error AR7006 admission.guardrails: no such directory",
            "bad.yaml:15:16 error AR7005 admission.podSecurity.defaults.enforce: expected one of privileged, baseline, restricted, found 'strict'",
            "bad.yaml:16:24 error AR7005 admission.podSecurity.defaults.enforce-version: expected 'latest' or a version such as v1.30, found '1.29'",
            "bad.yaml:18:20 error AR7005 admission.podSecurity.exemptions.namespaces[0]: 'Kube_System' is not a namespace name",
            "bad.yaml:18:37 error AR7005 admission.podSecurity.exemptions.namespaces[2]: 'ok' is listed twice",
            "bad.yaml:19:19 error AR7005 admission.podSecurity.exemptions.usernames[0]: must not be empty",
        ];
        Assert.Equal(expected.Length, lines.Count);
        foreach (var (line, prefix) in lines.Zip(expected))
        {
            Assert.True(line.Contains(prefix, StringComparison.Ordinal), $"expected '{prefix}' in '{line}'");
        }
    }

    [Theory]
    [InlineData("kind: ServeConfiguration\n", "expected apiVersion auditrail.io/v1alpha1 and kind ServeConfiguration")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\n", "found audit.k8s.io/v1 and Policy")]
    [InlineData("- a\n- b\n", "expected one YAML document")]
    [InlineData("apiVersion: [unclosed\n", "AR7001")]
    public void A_file_that_is_not_a_serve_configuration_is_refused(string text, string expected)
    {
        var result = ServeConfigurationLoader.Load(Write("other.yaml", text));
        Assert.Contains(expected, Assert.Single(result.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_one_clear_problem()
    {
        var result = ServeConfigurationLoader.Load(Path.Combine(_directory, "absent.yaml"));
        Assert.Contains("cannot read the configuration: no such file", Assert.Single(result.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Command_line_overrides_the_file_and_its_problems_name_the_option()
    {
        var path = Write("serve.yaml", "apiVersion: auditrail.io/v1alpha1\nkind: ServeConfiguration\nlisten: 0.0.0.0:8443\n");
        var certificate = Write("c.pem", "x");
        var result = ServeConfigurationLoader.Load(path, new ServeOverrides { Listen = ["127.0.0.1:9443"], TlsCertificateFile = certificate, TlsKeyFile = certificate });
        Assert.Equal("127.0.0.1:9443", Assert.Single(result.Configuration!.Listen).ToString());
        Assert.Equal(certificate, result.Configuration.Tls!.CertificateFile);

        var halfTls = ServeConfigurationLoader.Load(null, new ServeOverrides { TlsCertificateFile = certificate, Listen = ["nowhere"] });
        Assert.Equal(["--listen", "--tls-key"], halfTls.Problems.Select(p => p.File));
        Assert.Contains("give --tls-cert and --tls-key together", halfTls.Problems[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2s", 2000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1500)]
    [InlineData("1h", 3_600_000)]
    public void Durations_read_as_go_writes_them(string text, double milliseconds)
    {
        Assert.True(ConfigValues.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("2 s")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("")]
    public void Durations_without_a_unit_are_refused(string text) => Assert.False(ConfigValues.TryParseDuration(text, out _));

    [Theory]
    [InlineData("8Mi", 8L << 20)]
    [InlineData("512Ki", 512L << 10)]
    [InlineData("1048576", 1048576)]
    [InlineData("5M", 5_000_000)]
    public void Byte_quantities_read_as_kubernetes_writes_them(string text, long bytes)
    {
        Assert.True(ConfigValues.TryParseBytes(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Fact]
    public void Budget_outside_what_a_webhook_timeout_allows_is_refused()
    {
        var path = Write("budget.yaml", "apiVersion: auditrail.io/v1alpha1\nkind: ServeConfiguration\nadmission:\n  timeout: 45s\n");
        var problem = Assert.Single(ServeConfigurationLoader.Load(path).Problems).ToString();
        Assert.True(problem.EndsWith("budget.yaml:4:12 error AR7005 admission.timeout: 45s is outside 10ms..30s", StringComparison.Ordinal), problem);
    }
}
