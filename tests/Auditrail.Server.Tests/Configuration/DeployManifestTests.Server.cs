using Auditrail.Server.Configuration;
using Auditrail.Server.Security;
using Auditrail.Server.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Server.Tests.Configuration;

/// <summary>deploy/server: the live server's configuration, mounts, Secret and the apiserver's audit webhook kubeconfig.</summary>
public sealed partial class DeployManifestTests
{
    private static readonly string ServerFolder = Path.Combine(AppContext.BaseDirectory, "deploy", "server");

    private static IEnumerable<YamlMappingNode> Items(YamlNode node, params string[] path) => ((YamlSequenceNode)At(node, path)).Children.Cast<YamlMappingNode>();

    [Fact]
    public void Shipped_server_configuration_loads_without_problems_when_the_pod_mounts_exist()
    {
        // The pod's mounts, recreated under a scratch folder: TLS files, the three tokens, the data volume.
        var configMap = Documents("server.yaml", ServerFolder).Single(d => Text(d, "kind") == "ConfigMap");
        var root = Directory.CreateTempSubdirectory("auditrail-deploy-server-").FullName;
        try
        {
            using var certificates = new TestCertificates();
            using (var certificate = TestCertificates.Create("auditrail-server.auditrail.svc"))
            {
                certificates.Write(certificate);
            }

            var etc = Path.Combine(root, "etc", "auditrail");
            Directory.CreateDirectory(Path.Combine(etc, "tls"));
            Directory.CreateDirectory(Path.Combine(etc, "tokens"));
            File.Copy(certificates.CertificateFile, Path.Combine(etc, "tls", "tls.crt"));
            File.Copy(certificates.KeyFile, Path.Combine(etc, "tls", "tls.key"));
            foreach (var key in ShippedTokenKeys())
            {
                File.WriteAllText(Path.Combine(etc, "tokens", key), $"token-of-{key}\n");
            }

            var text = Text(configMap, "data", "serve.yaml")
                .Replace("/etc/auditrail/", etc + "/", StringComparison.Ordinal)
                .Replace("/var/lib/auditrail", Path.Combine(root, "var", "lib", "auditrail"), StringComparison.Ordinal);
            var path = Path.Combine(etc, "serve.yaml");
            File.WriteAllText(path, text);

            var result = ServeConfigurationLoader.Load(path);
            Assert.Empty(result.Problems);
            var configuration = result.Configuration!;
            Assert.Equal(Path.Combine(root, "var", "lib", "auditrail"), configuration.DataDirectory);
            Assert.Equal("production", configuration.Ingest.Cluster);
            Assert.Equal(AccessScope.Ingest, Assert.Single(configuration.Ingest.Tokens).Scopes);
            Assert.Equal([AccessScope.Read, AccessScope.Admin], configuration.Api.Tokens.Select(t => t.Scopes));
            Assert.Equal(["log", "archive"], configuration.Sinks.Select(s => s.Name));
            Assert.Equal(TimeSpan.FromDays(30), configuration.Store.MaxAge);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The Secret ships every key empty, so the server refuses to start until each is filled with a real token.</summary>
    private static List<string> ShippedTokenKeys()
    {
        var secret = Documents("server.yaml", ServerFolder).Single(d => Text(d, "kind") == "Secret");
        var data = (YamlMappingNode)At(secret, "stringData");
        Assert.All(data.Children.Values, value => Assert.Equal(string.Empty, ((YamlScalarNode)value).Value));
        return [.. data.Children.Keys.Select(k => ((YamlScalarNode)k).Value!)];
    }

    [Fact]
    public void Server_deployment_mounts_what_the_configuration_names_and_probes_the_health_endpoints()
    {
        var documents = Documents("server.yaml", ServerFolder);
        var serve = Text(documents.Single(d => Text(d, "kind") == "ConfigMap"), "data", "serve.yaml");
        var deployment = documents.Single(d => Text(d, "kind") == "Deployment");
        var pod = At(deployment, "spec", "template", "spec");
        var container = Items(pod, "containers").Single();
        Assert.Equal("/readyz", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("Recreate", Text(deployment, "spec", "strategy", "type"));
        Assert.Equal("1", Text(deployment, "spec", "replicas"));

        var mounts = Items(container, "volumeMounts").ToDictionary(m => Text(m, "name"), m => Text(m, "mountPath"));
        var volumes = Items(pod, "volumes").ToDictionary(v => Text(v, "name"));
        Assert.Equal(Text(documents.Single(d => Text(d, "kind") == "PersistentVolumeClaim"), "metadata", "name"), Text(volumes["data"], "persistentVolumeClaim", "claimName"));
        Assert.Contains($"dataDirectory: {mounts["data"]}", serve, StringComparison.Ordinal);
        Assert.Equal(Text(documents.Single(d => Text(d, "kind") == "Secret"), "metadata", "name"), Text(volumes["tokens"], "secret", "secretName"));
        foreach (var key in ShippedTokenKeys())
        {
            Assert.Contains($"file: {mounts["tokens"]}/{key}", serve, StringComparison.Ordinal);
        }

        var certificate = Documents("certificate.yaml", ServerFolder).Single(d => Text(d, "kind") == "Certificate");
        Assert.Equal(Text(certificate, "spec", "secretName"), Text(volumes["tls"], "secret", "secretName"));
        Assert.Contains($"certFile: {mounts["tls"]}/tls.crt", serve, StringComparison.Ordinal);
    }

    [Fact]
    public void Audit_webhook_kubeconfig_posts_to_the_ingest_path_of_the_pinned_service_address()
    {
        var kubeconfig = Documents("audit-webhook-kubeconfig.yaml", ServerFolder).Single();
        var server = new Uri(Text(Items(kubeconfig, "clusters").Single(), "cluster", "server"));
        Assert.Equal("https", server.Scheme);
        Assert.StartsWith("/audit/webhook/", server.AbsolutePath, StringComparison.Ordinal);

        var documents = Documents("server.yaml", ServerFolder);
        var service = documents.Single(d => Text(d, "kind") == "Service");
        Assert.Equal(Text(service, "spec", "clusterIP"), server.Host);
        Assert.Equal(Text(Items(service, "spec", "ports").Single(), "port"), server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var certificate = Documents("certificate.yaml", ServerFolder).Single(d => Text(d, "kind") == "Certificate");
        Assert.Contains(server.Host, ((YamlSequenceNode)At(certificate, "spec", "ipAddresses")).Children.Select(c => ((YamlScalarNode)c).Value));

        // The token stays on the node, out of the file: tokenFile, never token.
        var user = (YamlMappingNode)At(Items(kubeconfig, "users").Single(), "user");
        Assert.Equal(["tokenFile"], user.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
    }
}
