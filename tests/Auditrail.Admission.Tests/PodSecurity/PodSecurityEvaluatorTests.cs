using Auditrail.Admission.PodSecurity;
using Auditrail.Admission.Tests.PodSecurity.Support;

namespace Auditrail.Admission.Tests.PodSecurity;

/// <summary>The checks' wording and their version-dependent behaviour, beyond what the upstream fixtures pin down.</summary>
public sealed class PodSecurityEvaluatorTests
{
    private static PodSecurityResult Evaluate(PodSecurityLevel level, string version, string spec, string metadata = "{}") =>
        PodSecurityEvaluator.Evaluate(level, PodSecurityVersion.Parse(version), Json.Parse(metadata), Json.Parse(spec));

    private static PodSecurityViolation Only(PodSecurityResult result)
    {
        Assert.Empty(result.InputErrors);
        return Assert.Single(result.Violations);
    }

    [Fact]
    public void Details_name_the_containers_as_upstream_does()
    {
        var result = Evaluate(PodSecurityLevel.Baseline, "latest", """
            {"initContainers":[{"name":"init","securityContext":{"privileged":true}}],
             "containers":[{"name":"a","securityContext":{"privileged":true}},{"name":"b"}]}
            """);
        var violation = Only(result);
        Assert.Equal("privileged", violation.CheckId);
        Assert.Equal("privileged (containers \"init\", \"a\" must not set securityContext.privileged=true)", violation.ToString());
    }

    [Fact]
    public void A_restricted_failure_lists_every_check_in_upstream_order()
    {
        var result = Evaluate(PodSecurityLevel.Restricted, "latest", """{"containers":[{"name":"app","ports":[{"containerPort":80,"hostPort":8080}]}]}""");
        Assert.Equal(
            ["hostPorts", "allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"],
            result.Violations.Select(v => v.CheckId));
        Assert.Equal(
            "hostPort (container \"app\" uses hostPort 8080), "
            + "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), "
            + "unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), "
            + "runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), "
            + "seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
            result.ForbiddenDetail());
    }

    [Fact]
    public void Explicit_bad_values_are_reported_before_missing_ones()
    {
        var result = Evaluate(PodSecurityLevel.Restricted, "v1.24", """
            {"securityContext":{"runAsNonRoot":false,"seccompProfile":{"type":"Unconfined"}},
             "containers":[{"name":"a","securityContext":{"runAsNonRoot":false,"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"],"add":["SYS_ADMIN","NET_RAW"]}}}]}
            """);
        Assert.Equal(
            "unrestricted capabilities (container \"a\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add), "
            + "runAsNonRoot != true (pod and container \"a\" must not set securityContext.runAsNonRoot=false), "
            + "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")",
            result.ForbiddenDetail());
    }

    [Fact]
    public void Privileged_checks_nothing()
    {
        var result = Evaluate(PodSecurityLevel.Privileged, "latest", """{"hostPID":true,"containers":[{"name":"a","securityContext":{"privileged":true}}]}""");
        Assert.True(result.Allowed);
        Assert.Empty(PodSecurityEvaluator.CheckIds(PodSecurityLevel.Privileged, PodSecurityVersion.Latest));
    }

    [Fact]
    public void A_version_newer_than_known_evaluates_as_the_newest_and_keeps_its_name()
    {
        var spec = """{"securityContext":{"sysctls":[{"name":"net.ipv4.tcp_notsent_lowat","value":"16384"}]},"containers":[{"name":"a"}]}""";
        Assert.Equal(37, PodSecurityEvaluator.NewestVersion.Minor);
        Assert.False(Evaluate(PodSecurityLevel.Baseline, "v1.36", spec).Allowed);
        Assert.True(Evaluate(PodSecurityLevel.Baseline, "v1.37", spec).Allowed);
        var future = Evaluate(PodSecurityLevel.Baseline, "v1.50", spec);
        Assert.True(future.Allowed);
        Assert.Equal("baseline:v1.50", future.Policy.ToString());
        Assert.True(Evaluate(PodSecurityLevel.Baseline, "latest", spec).Allowed);
        Assert.Equal(
            PodSecurityEvaluator.CheckIds(PodSecurityLevel.Restricted, PodSecurityVersion.Latest),
            PodSecurityEvaluator.CheckIds(PodSecurityLevel.Restricted, PodSecurityVersion.V1(99)));
    }

    [Theory]
    [InlineData("net.ipv4.ip_local_reserved_ports", 27)]
    [InlineData("net.ipv4.tcp_keepalive_time", 29)]
    [InlineData("net.ipv4.tcp_fin_timeout", 29)]
    [InlineData("net.ipv4.tcp_rmem", 32)]
    [InlineData("net.ipv4.tcp_wmem", 32)]
    [InlineData("net.ipv4.tcp_slow_start_after_idle", 37)]
    [InlineData("kernel.shm_rmid_forced", 0)]
    public void Sysctls_become_safe_at_the_version_that_added_them(string sysctl, int safeFrom)
    {
        var spec = $$"""{"securityContext":{"sysctls":[{"name":"{{sysctl}}","value":"1"}]},"containers":[{"name":"a"}]}""";
        if (safeFrom > 0)
        {
            Assert.Equal($"forbidden sysctls ({sysctl})", Only(Evaluate(PodSecurityLevel.Baseline, $"v1.{safeFrom - 1}", spec)).ToString());
        }

        Assert.True(Evaluate(PodSecurityLevel.Baseline, $"v1.{safeFrom}", spec).Allowed);
    }

    [Fact]
    public void Container_engine_t_is_allowed_from_v1_31()
    {
        var spec = """{"containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"container_engine_t"}}}]}""";
        Assert.Equal(
            "seLinuxOptions (container \"a\" set forbidden securityContext.seLinuxOptions: type \"container_engine_t\")",
            Only(Evaluate(PodSecurityLevel.Baseline, "v1.30", spec)).ToString());
        Assert.True(Evaluate(PodSecurityLevel.Baseline, "v1.31", spec).Allowed);
    }

    [Fact]
    public void SELinux_user_and_role_are_reported_even_without_a_bad_type()
    {
        var spec = """{"securityContext":{"seLinuxOptions":{"user":"root","role":"sysadm_r"}},"containers":[{"name":"a"}]}""";
        Assert.Equal(
            "seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: user may not be set; role may not be set)",
            Only(Evaluate(PodSecurityLevel.Baseline, "latest", spec)).ToString());
    }

    [Fact]
    public void Windows_pods_are_relaxed_in_restricted_from_v1_25_only()
    {
        var spec = """{"os":{"name":"windows"},"securityContext":{"runAsNonRoot":true},"containers":[{"name":"a"}]}""";
        string[] linuxOnly = ["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"];
        Assert.Equal(linuxOnly, Evaluate(PodSecurityLevel.Restricted, "v1.24", spec).Violations.Select(v => v.CheckId));
        Assert.Equal(linuxOnly, Evaluate(PodSecurityLevel.Restricted, "v1.25", spec.Replace("windows", "linux", StringComparison.Ordinal)).Violations.Select(v => v.CheckId));
        Assert.True(Evaluate(PodSecurityLevel.Restricted, "v1.25", spec).Allowed);
    }

    [Fact]
    public void User_namespace_pods_may_unmask_proc_in_baseline_but_never_in_restricted_from_v1_35()
    {
        var spec = """{"hostUsers":false,"containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]}""";
        Assert.Equal(
            "procMount (container \"a\" must not set securityContext.procMount to \"Unmasked\")",
            Only(Evaluate(PodSecurityLevel.Baseline, "v1.34", spec)).ToString());
        Assert.True(Evaluate(PodSecurityLevel.Baseline, "v1.35", spec).Allowed);
        var restricted = Evaluate(PodSecurityLevel.Restricted, "v1.35", spec);
        Assert.Contains(restricted.Violations, v => v.CheckId == "procMount_restricted");
        Assert.DoesNotContain(restricted.Violations, v => v.CheckId == "procMount");
    }

    [Fact]
    public void User_namespace_pods_may_run_as_root_in_restricted_from_v1_35()
    {
        var spec = """
            {"hostUsers":false,"securityContext":{"runAsUser":0,"seccompProfile":{"type":"RuntimeDefault"}},
             "containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}
            """;
        Assert.Equal(["runAsNonRoot", "runAsUser"], Evaluate(PodSecurityLevel.Restricted, "v1.34", spec).Violations.Select(v => v.CheckId));
        Assert.True(Evaluate(PodSecurityLevel.Restricted, "v1.35", spec).Allowed);
    }

    [Fact]
    public void Seccomp_annotations_are_read_before_v1_19_and_fields_from_then()
    {
        var metadata = """{"annotations":{"seccomp.security.alpha.kubernetes.io/pod":"unconfined","container.seccomp.security.alpha.kubernetes.io/a":"localhost/x"}}""";
        var spec = """{"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Unconfined"}}}]}""";
        Assert.Equal(
            "seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")",
            Only(Evaluate(PodSecurityLevel.Baseline, "v1.18", spec, metadata)).ToString());
        Assert.Equal(
            "seccompProfile (container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\")",
            Only(Evaluate(PodSecurityLevel.Baseline, "v1.19", spec, metadata)).ToString());
    }

    [Fact]
    public void AppArmor_fields_and_annotations_are_both_checked_at_every_version()
    {
        var metadata = """{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"unconfined","container.apparmor.security.beta.kubernetes.io/b":"localhost/custom"}}""";
        var spec = """{"securityContext":{"appArmorProfile":{"type":"Unconfined"}},"containers":[{"name":"a"},{"name":"b"}]}""";
        Assert.Equal(
            "forbidden AppArmor profiles (pod and annotation must not set AppArmor profile type to \"Unconfined\", "
            + "\"container.apparmor.security.beta.kubernetes.io/a=\"unconfined\"\")",
            Only(Evaluate(PodSecurityLevel.Baseline, "v1.0", spec, metadata)).ToString());
    }

    [Fact]
    public void Restricted_volumes_name_the_volume_and_its_type_and_allow_image_and_sourceless_volumes()
    {
        var spec = """
            {"volumes":[{"name":"data","nfs":{"server":"x","path":"/"}},{"name":"root","hostPath":{"path":"/"}},
                        {"name":"img","image":{"reference":"x"}},{"name":"scratch"},{"name":"cfg","configMap":{"name":"c"},"hostPath":null}],
             "containers":[{"name":"a"}]}
            """;
        var result = Evaluate(PodSecurityLevel.Restricted, "latest", spec);
        var volumes = Assert.Single(result.Violations, v => v.CheckId == "restrictedVolumes");
        Assert.Equal("volumes \"data\", \"root\" use restricted volume types \"hostPath\", \"nfs\"", volumes.Detail);
        Assert.DoesNotContain(result.Violations, v => v.CheckId == "hostPathVolumes");
        Assert.Equal("hostPath volumes (volume \"root\")", Only(Evaluate(PodSecurityLevel.Baseline, "latest", spec)).ToString());
    }

    [Fact]
    public void Host_ports_and_probe_hosts_are_listed_as_upstream_sorts_them()
    {
        var spec = """
            {"containers":[{"name":"b","ports":[{"hostPort":9000},{"hostPort":10000},{"containerPort":80}],
                            "livenessProbe":{"httpGet":{"host":"10.0.0.1","port":80}},
                            "lifecycle":{"preStop":{"tcpSocket":{"host":"evil.example","port":1}}}},
                           {"name":"a","readinessProbe":{"tcpSocket":{"host":"10.0.0.1","port":80}}}]}
            """;
        var result = Evaluate(PodSecurityLevel.Baseline, "latest", spec);
        Assert.Equal(
            "hostPort (container \"b\" uses hostPorts 10000, 9000), "
            + "probe or lifecycle host (containers \"a\", \"b\" use probe or lifecycle hosts \"10.0.0.1\", \"evil.example\")",
            result.ForbiddenDetail());
        Assert.DoesNotContain(Evaluate(PodSecurityLevel.Baseline, "v1.33", spec).Violations, v => v.CheckId == "hostProbesAndHostLifecycle");
    }

    [Fact]
    public void Capabilities_baseline_applies_to_restricted_until_v1_22_replaces_it()
    {
        var spec = """
            {"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"Localhost","localhostProfile":"p.json"}},
             "containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"add":["NET_ADMIN"]}}}]}
            """;
        Assert.Equal(
            "non-default capabilities (container \"a\" must not include \"NET_ADMIN\" in securityContext.capabilities.add)",
            Only(Evaluate(PodSecurityLevel.Restricted, "v1.21", spec)).ToString());
        Assert.Equal(
            "unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]; "
            + "container \"a\" must not include \"NET_ADMIN\" in securityContext.capabilities.add)",
            Assert.Single(Evaluate(PodSecurityLevel.Restricted, "v1.22", spec).Violations, v => v.CheckId.StartsWith("capabilities", StringComparison.Ordinal)).ToString());
    }

    [Fact]
    public void Host_namespaces_are_listed_network_pid_ipc()
    {
        var spec = """{"hostIPC":true,"hostPID":true,"hostNetwork":true,"containers":[{"name":"a"}]}""";
        Assert.Equal("host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)", Only(Evaluate(PodSecurityLevel.Baseline, "latest", spec)).ToString());
    }

    [Fact]
    public void Fields_of_the_wrong_type_are_errors_with_their_path_and_never_allowed()
    {
        var spec = """
            {"hostNetwork":"yes","securityContext":{"sysctls":[{"name":7}]},
             "containers":[{"name":"a","securityContext":{"privileged":1,"capabilities":{"add":"ALL"}},"ports":[{"hostPort":80.5}]},"oops"],
             "volumes":{"name":"v"}}
            """;
        var result = Evaluate(PodSecurityLevel.Baseline, "latest", spec, """{"annotations":{"n":1}}""");
        Assert.False(result.Allowed);
        Assert.Equal(
            [
                "metadata.annotations[n]: expected a string, found a number",
                "spec.hostNetwork: expected a boolean, found a string",
                "spec.securityContext.sysctls[0].name: expected a string, found a number",
                "spec.containers[0].securityContext.privileged: expected a boolean, found a number",
                "spec.containers[0].securityContext.capabilities.add: expected an array, found a string",
                "spec.containers[0].ports[0].hostPort: expected an integer between -2147483648 and 2147483647, found 80.5",
                "spec.containers[1]: expected an object, found a string",
                "spec.volumes: expected an array, found an object",
            ],
            result.InputErrors.Select(e => e.ToString()));
        Assert.Contains("malformed pod (metadata.annotations[n]: expected a string", result.ForbiddenDetail(), StringComparison.Ordinal);
        Assert.True(Evaluate(PodSecurityLevel.Privileged, "latest", spec).Allowed);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"pod\"")]
    [InlineData("42")]
    public void A_spec_that_is_not_an_object_is_an_error_not_an_exception(string spec)
    {
        var result = Evaluate(PodSecurityLevel.Restricted, "latest", spec, "[]");
        Assert.False(result.Allowed);
        Assert.Equal(["metadata", "spec"], result.InputErrors.Select(e => e.Path));
    }

    [Fact]
    public void A_missing_spec_is_an_empty_pod_as_the_decoder_makes_it()
    {
        var result = PodSecurityEvaluator.EvaluatePod(PodSecurityLevel.Restricted, PodSecurityVersion.Latest, Json.Parse("""{"kind":"Pod"}"""));
        Assert.True(result.Allowed);
    }
}
