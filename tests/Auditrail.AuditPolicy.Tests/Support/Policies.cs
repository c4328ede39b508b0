using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Model;

namespace Auditrail.AuditPolicy.Tests.Support;

public static class Policies
{
    /// <summary>Loads a policy written in a test and fails the test on any error.</summary>
    public static Policy Load(string yaml)
    {
        var result = PolicyLoader.LoadText(yaml, "test.yaml");
        Assert.False(result.HasErrors, string.Join("\n", result.Findings));
        return result.Policy!;
    }

    public static CompiledPolicy Compile(string yaml) => CompiledPolicy.Compile(Load(yaml));

    /// <summary>A policy from its rules alone (YAML list items).</summary>
    public static CompiledPolicy Rules(string rules) => Compile("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n" + rules);
}
