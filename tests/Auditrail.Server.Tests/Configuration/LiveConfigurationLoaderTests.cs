using Auditrail.Detection.Rules;
using Auditrail.Server.Configuration;
using Auditrail.Server.Security;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Configuration;

/// <summary>The live server's sections: ingest, API, sources, detection, sinks, responses, store, metrics.</summary>
public sealed class LiveConfigurationLoaderTests : IDisposable
{
    private const string Header = "apiVersion: auditrail.io/v1alpha1\nkind: ServeConfiguration\n";
    private static readonly Dictionary<string, string> Environment = new() { ["INGEST_TOKEN"] = "from-the-environment", ["EMPTY"] = " " };
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-live-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static ConfigLoadResult Load(string path, ServeOverrides? overrides = null) =>
        ServeConfigurationLoader.Load(path, overrides, name => Environment.GetValueOrDefault(name));

    private string Full(string name) => Path.Combine(_directory, name);

    [Fact]
    public void No_file_runs_the_default_pack_to_stdout_with_data_under_the_working_directory()
    {
        var configuration = ServeConfigurationLoader.Load(null).Configuration!;
        Assert.Equal(Path.GetFullPath("auditrail-data"), configuration.DataDirectory);
        Assert.Equal(Path.Combine(configuration.DataDirectory, "auditrail.duckdb"), configuration.StorePath);
        Assert.Equal(Path.Combine(configuration.DataDirectory, "wal"), configuration.WriteAheadLogDirectory);
        Assert.Equal([DetectionSettings.DefaultPack], configuration.Detection.RulePaths);
        Assert.Equal(SinkType.Stdout, Assert.Single(configuration.Sinks).Type);
        Assert.Empty(configuration.Ingest.Tokens);
        Assert.Empty(configuration.Api.Tokens);
        Assert.Empty(configuration.FileSources);
        Assert.Null(configuration.Responses);
        Assert.False(configuration.Metrics.RequireToken);
        Assert.Equal(1L << 30, configuration.Ingest.QueueCapacityBytes);
    }

    [Fact]
    public void Data_option_overrides_the_file()
    {
        var path = Write("serve.yaml", Header + "dataDirectory: data\n");
        Assert.Equal(Full("data"), Load(path).Configuration!.DataDirectory);
        var overridden = Load(path, new ServeOverrides { DataDirectory = Full("elsewhere") }).Configuration!;
        Assert.Equal(Full("elsewhere"), overridden.DataDirectory);
        Assert.Equal(Path.Combine(Full("elsewhere"), "auditrail.duckdb"), overridden.StorePath);
    }

    [Fact]
    public void Full_file_is_read_with_paths_resolved_against_its_folder()
    {
        using var certificates = new TestCertificates();
        using var authority = TestCertificates.Create("client-ca");
        certificates.Write(authority);
        Write("secrets/ingest-token", "ingest-secret\n");
        Write("secrets/reader-token", "reader-secret");
        Write("secrets/siem-token", "siem-secret");
        Write("secrets/slack-url", "https://hooks.slack.example/services/T/B/X\n");
        Write("client-ca.pem", File.ReadAllText(certificates.CertificateFile));
        Write("rules/extra.yaml", "rules: []\n");
        Write("responses.yaml", "dryRun: true\nrules: []\n");
        Write("kubeconfig", "apiVersion: v1\nkind: Config\n");
        var path = Write("serve.yaml", Header + $$"""
            tls: {certFile: {{certificates.CertificateFile}}, keyFile: {{certificates.KeyFile}}}
            dataDirectory: /var/lib/auditrail
            ingest:
              tokens:
              - file: secrets/ingest-token
                scopes: [ingest]
              - env: INGEST_TOKEN
              clientCA: client-ca.pem
              cluster: prod-eu
              maxBodyBytes: 32Mi
              maxEventBytes: 1Mi
              queue: {capacity: 2Gi, segmentSize: 32Mi}
            api:
              tokens:
              - {file: secrets/reader-token, scopes: [read]}
              - {env: INGEST_TOKEN, scopes: [read, admin]}
            sources:
              files:
              - paths: [logs/audit*.log, /var/log/kubernetes/audit.log]
                cluster: prod-us
                startAtEnd: true
                pollInterval: 250ms
            detection:
              rules: [default, rules]
              cluster: fallback
              maxKeys: 5000
              lateTolerance: 2m
              workers: 3
              flushInterval: 100ms
            sinks:
            - {name: console, type: stdout, minSeverity: high}
            - {name: archive, type: file, path: alerts/alerts.jsonl}
            - name: siem
              type: webhook
              url: https://siem.example/ingest
              headers: {X-Source: auditrail}
              tokenFile: secrets/siem-token
              rules: ["Secret*", "exec into pod"]
              tags: [secrets]
              dedupWindow: 1m
              rate: 2.5
              burst: 10
              retries: 3
              queueCapacity: 500
            - {name: chat, type: slack, urlFile: secrets/slack-url}
            - {name: am, type: alertmanager, url: "http://alertmanager:9093"}
            responses: {file: responses.yaml, kubeconfig: kubeconfig, context: prod}
            store:
              path: db/events.duckdb
              retention: {maxAge: 30d, maxSize: 10Gi, purgeEvery: 15m}
            metrics: {requireToken: true}
            """);

        var result = Load(path);
        Assert.Empty(result.Problems);
        var configuration = result.Configuration!;
        Assert.Equal("/var/lib/auditrail", configuration.DataDirectory);

        var ingest = configuration.Ingest;
        Assert.Equal([new TokenSource(Full("secrets/ingest-token"), null, AccessScope.Ingest), new TokenSource(null, "INGEST_TOKEN", AccessScope.Ingest)], ingest.Tokens);
        Assert.Equal("ingest-secret", ingest.Tokens[0].Read());
        Assert.Equal(Full("client-ca.pem"), ingest.ClientCertificateAuthorityFile);
        Assert.Equal(("prod-eu", 32L << 20, 1 << 20, 2L << 30, 32L << 20),
            (ingest.Cluster, ingest.MaxBodyBytes, ingest.MaxEventBytes, ingest.QueueCapacityBytes, ingest.SegmentBytes));
        Assert.Equal([AccessScope.Read, AccessScope.Admin], configuration.Api.Tokens.Select(t => t.Scopes));

        var source = Assert.Single(configuration.FileSources);
        Assert.Equal([Full("logs/audit*.log"), "/var/log/kubernetes/audit.log"], source.Paths);
        Assert.Equal(("prod-us", true, TimeSpan.FromMilliseconds(250)), (source.Cluster, source.StartAtEnd, source.PollInterval));

        var detection = configuration.Detection;
        Assert.Equal([DetectionSettings.DefaultPack, Full("rules")], detection.RulePaths);
        Assert.Equal(("fallback", 5000, TimeSpan.FromMinutes(2), (int?)3), (detection.Cluster, detection.MaxKeys, detection.LateTolerance, detection.Workers));
        Assert.Equal(TimeSpan.FromMilliseconds(100), detection.FlushInterval);

        Assert.Equal(["console", "archive", "siem", "chat", "am"], configuration.Sinks.Select(s => s.Name));
        Assert.Equal(Severity.High, configuration.Sinks[0].MinSeverity);
        Assert.Equal(Full("alerts/alerts.jsonl"), configuration.Sinks[1].Path);
        var siem = configuration.Sinks[2];
        Assert.Equal(new Uri("https://siem.example/ingest"), siem.Url);
        Assert.Equal("auditrail", siem.Headers["x-source"]);
        Assert.Equal(Full("secrets/siem-token"), siem.TokenFile);
        Assert.Equal(["Secret*", "exec into pod"], siem.Rules);
        Assert.Equal(["secrets"], siem.Tags);
        Assert.Equal((TimeSpan.FromMinutes(1), 2.5, 10, 3, 500), (siem.DedupWindow!.Value, siem.Rate!.Value, siem.Burst!.Value, siem.Retries!.Value, siem.QueueCapacity!.Value));
        Assert.Equal(Full("secrets/slack-url"), configuration.Sinks[3].UrlFile);
        Assert.Equal(SinkType.Alertmanager, configuration.Sinks[4].Type);

        var responses = configuration.Responses!;
        Assert.Equal((Full("responses.yaml"), Full("kubeconfig"), "prod"), (responses.File, responses.Kubeconfig, responses.Context));
        Assert.True(responses.Config.Options.DryRun);

        Assert.Equal(Full("db/events.duckdb"), configuration.StorePath);
        Assert.Equal((TimeSpan.FromDays(30), 10L << 30, TimeSpan.FromMinutes(15)), (configuration.Store.MaxAge!.Value, configuration.Store.MaxBytes!.Value, configuration.Store.PurgeInterval));
        Assert.True(configuration.Metrics.RequireToken);
    }

    [Fact]
    public void An_empty_sink_list_means_alerts_are_only_stored()
    {
        Assert.Empty(Load(Write("serve.yaml", Header + "sinks: []\n")).Configuration!.Sinks);
    }

    [Fact]
    public void Every_problem_of_the_live_sections_is_listed_at_once()
    {
        Write("empty-token", "\n");
        Write("not-a-ca.pem", "hello");
        Write("responses.yaml", "dryRun: maybe\nrules:\n- name: r\n  actions:\n  - action: explode\n");
        var path = Write("bad.yaml", Header + """
            ingest:
              tokens:
              - token: inline-secret
              - {file: empty-token, env: INGEST_TOKEN}
              - {env: UNSET_VARIABLE, scopes: [read]}
              - {file: empty-token}
              clientCA: not-a-ca.pem
              maxBodyBytes: 1Ti
              queue: {capacity: 64Mi, segmentSize: 128Mi}
              clustr: x
            api:
              tokens: {file: x}
            sources:
              files:
              - paths: []
              - {paths: [a.log, "logs/*/audit.log"], cluster: "two words", pollInterval: 5}
            detection:
              rules: [nowhere]
              workers: 0
            sinks:
            - {name: a, type: stdout, url: "http://x"}
            - {name: a, type: file, path: a.jsonl}
            - {type: webhook, url: "ftp://host/x", headers: {Authorization: Bearer x}}
            - {type: slack}
            - {type: pagerduty}
            - {name: b, type: webhook, url: "http://x", minSeverity: urgent, rate: fast, retries: 99}
            responses: {file: responses.yaml}
            store:
              retention: {maxAge: 10m, purgeEvery: forever}
            metrics: {requireToken: yes}
            """);

        var result = Load(path);
        Assert.Null(result.Configuration);
        var lines = result.Problems.Select(p => p.ToString()).ToList();
        string[] expected =
        [
            "bad.yaml:5:5 error AR7003 ingest.tokens[0].token: unknown field (known fields: file, env, scopes)",
            "bad.yaml:5:5 error AR7005 ingest.tokens[0]: give exactly one of file (a mounted Secret) or env (an environment variable)",
            "bad.yaml:6:5 error AR7005 ingest.tokens[1]: give exactly one of file",
            "bad.yaml:7:11 error AR7006 ingest.tokens[2]: env UNSET_VARIABLE holds no token",
            "bad.yaml:7:36 error AR7005 ingest.tokens[2].scopes[0]: expected ingest, found 'read'",
            "bad.yaml:8:12 error AR7006 ingest.tokens[3]: file " + Full("empty-token") + " holds no token",
            "bad.yaml:9:13 error AR7005 ingest.clientCA: " + Full("not-a-ca.pem") + " holds no PEM certificate",
            "bad.yaml:10:17 error AR7005 ingest.maxBodyBytes: '1Ti' is not a byte quantity",
            "bad.yaml:11:40 error AR7005 ingest.queue.segmentSize: is larger than ingest.queue.capacity",
            "bad.yaml:12:3 error AR7003 ingest.clustr: unknown field (did you mean cluster?)",
            "bad.yaml:14:11 error AR7004 api.tokens: expected a list of {file: PATH} or {env: NAME}",
            "bad.yaml:17:5 error AR7005 sources.files[0].paths: at least one file or glob is needed",
            "bad.yaml:18:21 error AR7005 sources.files[1].paths[1]: wildcards (* and ?) are matched in file names only, not in folders",
            "bad.yaml:18:51 error AR7005 sources.files[1].cluster: 'two words' is not a cluster name",
            "bad.yaml:18:78 error AR7005 sources.files[1].pollInterval: '5' is not a duration",
            "bad.yaml:20:11 error AR7006 detection.rules[0]: no such file or directory",
            "bad.yaml:21:12 error AR7005 detection.workers: 0 is outside 1..256",
            "bad.yaml:23:32 error AR7005 sinks[0].url: does not apply to a stdout sink (it applies to webhook, slack, alertmanager)",
            "bad.yaml:24:10 error AR7005 sinks[1].name: 'a' names two sinks",
            "bad.yaml:25:24 error AR7005 sinks[2].url: expected an absolute http:// or https:// URL",
            "bad.yaml:25:50 error AR7005 sinks[2].headers.Authorization: credentials do not belong in the configuration",
            "bad.yaml:26:3 error AR7005 sinks[3].url: a slack sink needs exactly one of url or urlFile",
            "bad.yaml:27:10 error AR7005 sinks[4].type: expected stdout or file or webhook or slack or alertmanager, found 'pagerduty'",
            "bad.yaml:28:58 error AR7005 sinks[5].minSeverity: expected info, low, medium, high or critical, found 'urgent'",
            "bad.yaml:28:72 error AR7005 sinks[5].rate: 'fast' is not a number of alerts per second",
            "bad.yaml:28:87 error AR7005 sinks[5].retries: 99 is outside 0..20",
            "bad.yaml:31:23 error AR7005 store.retention.maxAge: 10m is outside 3600s..",
            "bad.yaml:31:40 error AR7005 store.retention.purgeEvery: 'forever' is not a duration",
            "bad.yaml:32:25 error AR7005 metrics.requireToken: expected true or false, found 'yes'",
            "bad.yaml error AR7007 ingest.clientCA: client certificates need TLS",
        ];
        var responseProblems = lines.Where(l => l.Contains("responses.yaml:", StringComparison.Ordinal)).ToList();
        var configProblems = lines.Except(responseProblems).ToList();
        Assert.True(expected.Length == configProblems.Count && configProblems.Zip(expected).All(p => p.First.Contains(p.Second, StringComparison.Ordinal)), string.Join("\n", lines));
        // The responses file's own problems keep their own place and code.
        Assert.Contains(responseProblems, p => p.Contains("responses.yaml:1:9 error AR2004 responses.file: expected true or false, not 'maybe'", StringComparison.Ordinal));
        Assert.Contains(responseProblems, p => p.Contains("responses.yaml:5:13 error AR2004 responses.file: unknown action 'explode'", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_certificates_without_tls_are_refused()
    {
        using var certificates = new TestCertificates();
        using var authority = TestCertificates.Create("client-ca");
        certificates.Write(authority);
        var path = Write("serve.yaml", Header + $"ingest: {{clientCA: {certificates.CertificateFile}}}\n");
        var problem = Assert.Single(Load(path).Problems);
        Assert.Equal(("ingest.clientCA", ConfigCodes.Conflict), (problem.FieldPath, problem.Code));
        Assert.Empty(Load(path, new ServeOverrides { TlsCertificateFile = certificates.CertificateFile, TlsKeyFile = certificates.KeyFile }).Problems);
    }

    [Fact]
    public void A_misspelt_value_is_answered_with_the_value_meant()
    {
        var path = Write("typo.yaml", Header + """
            sinks:
            - {name: siem, type: webhok, url: "http://127.0.0.1:1/"}
            """);

        var problem = Assert.Single(Load(path).Problems);
        Assert.Equal(path + ":4:22 error AR7005 sinks[0].type: expected stdout or file or webhook or slack or alertmanager, found 'webhok' (did you mean webhook?)", problem.ToString());
    }

    [Fact]
    public void Token_messages_name_where_the_token_is_never_what_it_is()
    {
        var path = Write("serve.yaml", Header + "ingest: {tokens: [{env: INGEST_TOKEN}]}\n");
        var token = Assert.Single(Load(path).Configuration!.Ingest.Tokens);
        Assert.Equal("env INGEST_TOKEN", token.Describe());
        Assert.DoesNotContain("from-the-environment", token.ToString(), StringComparison.Ordinal);
        Assert.Equal("from-the-environment", token.Read(name => Environment.GetValueOrDefault(name)));
    }
}
