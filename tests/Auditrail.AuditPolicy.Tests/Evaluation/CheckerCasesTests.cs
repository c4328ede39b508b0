using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Tests.Support;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Tests.Evaluation;

/// <summary>
/// kube-apiserver's own policy checker table (checker_test.go, restated as data in
/// data/audit-policy/checker-cases.json): each case is a request, policy-level omitStages and rules in
/// order; the level and omitStages must be upstream's. Requests become audit events, so the table
/// also checks that attributes are read from events as the apiserver saw them.
/// </summary>
public sealed class CheckerCasesTests
{
    private static readonly JsonObject Table = JsonNode.Parse(File.ReadAllText(Events.Data("audit-policy", "checker-cases.json")))!.AsObject();

    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Table["cases"]!.AsArray().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void The_table_has_all_90_upstream_cases() => Assert.Equal(90, Table["cases"]!.AsArray().Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_gives_upstreams_level_and_omitted_stages(int index)
    {
        var testCase = Table["cases"]![index]!;
        var policy = new JsonObject
        {
            ["apiVersion"] = "audit.k8s.io/v1",
            ["kind"] = "Policy",
            ["omitStages"] = testCase["policyOmitStages"]!.DeepClone(),
            ["rules"] = new JsonArray(testCase["rules"]!.AsArray().Select(name => Table["rules"]![name!.GetValue<string>()]!.DeepClone()).ToArray()),
        };
        var compiled = Policies.Compile(policy.ToJsonString());
        var request = Table["requests"]![testCase["request"]!.GetValue<string>()]!;

        var decision = compiled.Evaluate(ToEvent(request));

        Assert.Equal(testCase["expectLevel"]!.GetValue<string>(), decision.Level.ToWireName());
        var expectedStages = testCase["expectOmitStages"]!.AsArray().Select(s => s!.GetValue<string>()).Order();
        Assert.Equal(expectedStages, decision.OmitStages.Stages.Select(s => s.ToWireName()).Order());
    }

    /// <summary>The audit event the apiserver would write for the checker's request attributes.</summary>
    private static AuditEvent ToEvent(JsonNode request)
    {
        var user = request["user"] is JsonObject u
            ? new JsonObject { ["username"] = u["username"]!.DeepClone(), ["groups"] = u["groups"]!.DeepClone() }
            : new JsonObject();
        var json = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = "Metadata",
            ["auditID"] = "checker",
            ["stage"] = "ResponseComplete",
            ["requestURI"] = request["path"]!.DeepClone(),
            ["verb"] = request["verb"]!.DeepClone(),
            ["user"] = user,
        };
        if (request["resourceRequest"]!.GetValue<bool>())
        {
            var objectRef = new JsonObject();
            foreach (var (field, property) in new[] { ("namespace", "namespace"), ("apiGroup", "apiGroup"), ("resource", "resource"), ("subresource", "subresource"), ("name", "name") })
            {
                if (request[field]?.GetValue<string>() is { Length: > 0 } value)
                {
                    objectRef[property] = value;
                }
            }

            json["objectRef"] = objectRef;
        }

        return Events.Parse(json.ToJsonString(new JsonSerializerOptions()));
    }
}
