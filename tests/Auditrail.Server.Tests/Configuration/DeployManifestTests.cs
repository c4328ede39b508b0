using Auditrail.Server.Admission;
using Auditrail.Server.Configuration;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Server.Tests.Configuration;

/// <summary>
/// deploy/ stays coherent with the server: each shipped configuration loads, the webhooks call what is
/// served, and the Deployments mount what the configurations name.
/// </summary>
public sealed partial class DeployManifestTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "deploy", "admission");

    private static List<YamlMappingNode> Documents(string file, string? folder = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(folder ?? Folder, file))));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static ServeConfiguration ShippedConfiguration(out IReadOnlyList<ConfigProblem> problems)
    {
        var configMap = Documents("server.yaml").Single(d => Text(d, "kind") == "ConfigMap");
        var directory = Directory.CreateTempSubdirectory("auditrail-deploy-").FullName;
        try
        {
            var path = Path.Combine(directory, "serve.yaml");
            File.WriteAllText(path, Text(configMap, "data", "serve.yaml"));
            var result = ServeConfigurationLoader.Load(path);
            problems = result.Problems;

            // The certificate files exist only in the pod; everything else must load as shipped.
            var withoutTls = File.ReadAllLines(path).TakeWhile(line => !line.StartsWith("tls:", StringComparison.Ordinal))
                .Concat(File.ReadAllLines(path).SkipWhile(line => !line.StartsWith("logging:", StringComparison.Ordinal)));
            File.WriteAllLines(path, withoutTls);
            return ServeConfigurationLoader.Load(path).Configuration!;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Shipped_configuration_loads_and_only_lacks_the_certificate_files_outside_the_pod()
    {
        var configuration = ShippedConfiguration(out var problems);
        Assert.Equal(["tls.certFile", "tls.keyFile"], problems.Select(p => p.FieldPath));
        Assert.All(problems, p => Assert.Equal(ConfigCodes.MissingFile, p.Code));
        Assert.Equal("0.0.0.0:8443", Assert.Single(configuration.Listen).ToString());
        Assert.Equal("baseline:latest", configuration.Admission.PodSecurity.Defaults.Enforce.ToString());
        Assert.False(configuration.Admission.PodSecurity.EnforceOnTemplates);
        // The bundled guardrails and the in-cluster namespace watch: nothing to mount but the certificate.
        Assert.Empty(configuration.Admission.GuardrailDirectories);
        Assert.Empty(configuration.Admission.NamespaceFiles);
        Assert.Null(configuration.Admission.Kubeconfig);
    }

    [Fact]
    public void The_service_account_may_read_namespaces_and_nothing_else()
    {
        var documents = Documents("server.yaml");
        var deployment = documents.Single(d => Text(d, "kind") == "Deployment");
        var account = Text(deployment, "spec", "template", "spec", "serviceAccountName");
        var serviceAccount = documents.Single(d => Text(d, "kind") == "ServiceAccount");
        Assert.Equal(account, Text(serviceAccount, "metadata", "name"));
        Assert.Equal("true", Text(serviceAccount, "automountServiceAccountToken"));

        var role = documents.Single(d => Text(d, "kind") == "ClusterRole");
        var rule = Assert.Single(((YamlSequenceNode)At(role, "rules")).Children);
        Assert.Equal(["namespaces"], ((YamlSequenceNode)At(rule, "resources")).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal([""], ((YamlSequenceNode)At(rule, "apiGroups")).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal(["get", "list", "watch"], ((YamlSequenceNode)At(rule, "verbs")).Children.Select(c => ((YamlScalarNode)c).Value));

        var binding = documents.Single(d => Text(d, "kind") == "ClusterRoleBinding");
        Assert.Equal(Text(role, "metadata", "name"), Text(binding, "roleRef", "name"));
        var subject = Assert.Single(((YamlSequenceNode)At(binding, "subjects")).Children);
        Assert.Equal(("ServiceAccount", account, "auditrail"), (Text(subject, "kind"), Text(subject, "name"), Text(subject, "namespace")));
    }

    [Fact]
    public void Webhooks_call_the_served_paths_with_the_servers_failure_policy_and_a_timeout_above_its_budget()
    {
        var configuration = ShippedConfiguration(out _);
        var webhooks = Documents("webhook-configurations.yaml");
        Assert.Equal(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], webhooks.Select(d => Text(d, "kind")));
        foreach (var document in webhooks)
        {
            var webhook = ((YamlSequenceNode)At(document, "webhooks")).Children.Single();
            var path = Text(webhook, "clientConfig", "service", "path");
            Assert.Equal(Text(document, "kind").StartsWith("Mutating", StringComparison.Ordinal) ? "/mutate" : "/validate", path);
            Assert.Equal(configuration.Admission.FailurePolicy, Enum.Parse<FailurePolicy>(Text(webhook, "failurePolicy")));
            Assert.True(TimeSpan.FromSeconds(int.Parse(Text(webhook, "timeoutSeconds"), System.Globalization.CultureInfo.InvariantCulture)) > configuration.Admission.TimeBudget * 2);
            Assert.Equal("None", Text(webhook, "sideEffects"));
            Assert.Equal(["v1", "v1beta1"], ((YamlSequenceNode)At(webhook, "admissionReviewVersions")).Children.Select(c => ((YamlScalarNode)c).Value));
            var excluded = ((YamlSequenceNode)At(((YamlSequenceNode)At(webhook, "namespaceSelector", "matchExpressions")).Children[0], "values")).Children.Select(c => ((YamlScalarNode)c).Value);
            Assert.Equal(["kube-system", "auditrail"], excluded);
            Assert.Equal("auditrail-webhook", Text(webhook, "clientConfig", "service", "name"));
        }
    }

    [Fact]
    public void Deployment_probes_and_mounts_match_the_server()
    {
        var documents = Documents("server.yaml");
        var deployment = documents.Single(d => Text(d, "kind") == "Deployment");
        var container = (YamlMappingNode)((YamlSequenceNode)At(deployment, "spec", "template", "spec", "containers")).Children.Single();
        Assert.Equal("/readyz", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("HTTPS", Text(container, "readinessProbe", "httpGet", "scheme"));
        Assert.Equal("8443", Text((YamlMappingNode)((YamlSequenceNode)At(container, "ports")).Children.Single(), "containerPort"));
        var tlsMount = ((YamlSequenceNode)At(container, "volumeMounts")).Children.Cast<YamlMappingNode>().Single(m => Text(m, "name") == "tls");
        Assert.Equal("/etc/auditrail/tls", Text(tlsMount, "mountPath"));
        Assert.False(tlsMount.Children.ContainsKey(new YamlScalarNode("subPath")));
        var certificate = Documents("certificate.yaml").Single(d => Text(d, "kind") == "Certificate");
        var volume = ((YamlSequenceNode)At(deployment, "spec", "template", "spec", "volumes")).Children.Cast<YamlMappingNode>().Single(v => Text(v, "name") == "tls");
        Assert.Equal(Text(certificate, "spec", "secretName"), Text(volume, "secret", "secretName"));
    }
}
