using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Tests.PodSecurity.Support;

namespace Auditrail.Admission.Tests.PodSecurity;

public sealed class PodSecurityConfigurationTests
{
    [Fact]
    public void Reads_an_upstream_PodSecurityConfiguration()
    {
        var document = Json.Parse("""
            {"apiVersion":"pod-security.admission.config.k8s.io/v1","kind":"PodSecurityConfiguration",
             "defaults":{"enforce":"baseline","enforce-version":"v1.29","audit":"restricted","warn":"restricted","warn-version":"latest"},
             "exemptions":{"usernames":["admin"],"namespaces":["kube-system","ingress"],"runtimeClasses":["kata"]}}
            """);

        Assert.True(PodSecurityConfiguration.TryParse(document, out var configuration, out var errors), string.Join("\n", errors));
        Assert.Equal("baseline:v1.29", configuration.Defaults.Enforce.ToString());
        Assert.Equal("restricted:latest", configuration.Defaults.Audit.ToString());
        Assert.Equal("restricted:latest", configuration.Defaults.Warn.ToString());
        Assert.Equal(["admin"], configuration.ExemptUsernames);
        Assert.Equal(["kube-system", "ingress"], configuration.ExemptNamespaces);
        Assert.Equal(["kata"], configuration.ExemptRuntimeClasses);
        Assert.False(configuration.EnforceOnTemplates);
    }

    [Fact]
    public void Defaults_left_out_are_privileged_latest()
    {
        Assert.True(PodSecurityConfiguration.TryParse(Json.Parse("""{"apiVersion":"pod-security.admission.config.k8s.io/v1","kind":"PodSecurityConfiguration"}"""),
            out var configuration, out _));
        Assert.Equal(PodSecurityPolicy.AllPrivileged, configuration.Defaults);
    }

    [Fact]
    public void Reports_every_problem_with_its_path()
    {
        var document = Json.Parse("""
            {"apiVersion":"v1","kind":"PodSecurityConfiguration",
             "defaults":{"enforce":"strict","audit-version":"1.2","warn":3},
             "exemptions":{"usernames":["a","a",""],"namespaces":"kube-system"}}
            """);

        Assert.False(PodSecurityConfiguration.TryParse(document, out _, out var errors));
        Assert.Equal(
            [
                "$.apiVersion: expected pod-security.admission.config.k8s.io/v1, found \"v1\"",
                "$.defaults.enforce: invalid level \"strict\": must be one of privileged, baseline, restricted",
                "$.defaults.audit-version: invalid version \"1.2\": must be \"latest\" or \"v1.x\"",
                "$.defaults.warn: expected a string",
                "$.exemptions.usernames[1]: duplicate entry \"a\"",
                "$.exemptions.usernames[2]: expected a non-empty string",
                "$.exemptions.namespaces: expected an array of strings",
            ],
            errors);
    }
}
