using System.Buffers;
using System.Text;
using System.Text.Json;
using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.LeastPrivilege;
using Auditrail.Rbac.Loading;
using Auditrail.Rbac.Model;
using Auditrail.Rbac.Tests.AuditLog;

namespace Auditrail.Rbac.Tests.LeastPrivilege;

/// <summary>
/// Least privilege on the real audit2rbac logs, for every identity in them: the printed manifest,
/// read back by the loader, allows every logged request, and a request is allowed exactly when an
/// independent statement of the semantics says it should be (observed shape, expanded verb, name and
/// namespace unless widened).
/// </summary>
public sealed class Audit2RbacLogTests
{
    private static readonly string DemoLog = TestEvents.DataPath("audit2rbac", "demo.log");
    private static readonly string V1Beta1Log = TestEvents.DataPath("audit-logs", "audit2rbac-demo-2017-v1beta1.jsonl");
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "impersonate"];

    public static TheoryData<string, string, int> Identities => new()
    {
        { DemoLog, "bob", 27 },
        { DemoLog, "alice", 3 },
        { DemoLog, "system:serviceaccount:ns1:sa1", 4 },
        { DemoLog, "system:admin", 3 },
        { V1Beta1Log, "bob", 27 },
        { V1Beta1Log, "alice", 3 },
        { V1Beta1Log, "system:serviceaccount:ns1:sa1", 4 },
        { V1Beta1Log, "system:admin", 21 },
    };

    [Theory]
    [MemberData(nameof(Identities))]
    public void Generated_rbac_allows_every_logged_request_and_only_what_the_options_imply(string log, string user, int distinct)
    {
        var subject = RequestAttributes.TryParseServiceAccount(user, out var ns, out var name) ? new RbacSubject(SubjectKind.ServiceAccount, name, ns) : new RbacSubject(SubjectKind.User, user);
        var requests = TestEvents.CollectFile(log, r => AuditRequestMapper.IsMadeBy(r, subject)).Requests();
        Assert.Equal(distinct, requests.Count);

        foreach (var options in Variants())
        {
            var generated = LeastPrivilegeGenerator.Generate(subject, requests, DiscoveryRbac.Snapshot, options);
            var authorizer = new RbacAuthorizer(SnapshotLayers.Combine(DiscoveryRbac.Snapshot, Reload(generated)));

            foreach (var request in requests)
            {
                Assert.True(authorizer.Authorize(request.Attributes).Allowed, $"{options}: {request.Attributes} must be allowed");
            }

            var discovery = new RbacAuthorizer(DiscoveryRbac.Snapshot);
            foreach (var probe in Probes(requests))
            {
                var expected = discovery.Authorize(probe).Allowed || requests.Any(r => Implies(r.Attributes, probe, options));
                Assert.True(expected == authorizer.Authorize(probe).Allowed, $"{options}: {probe} should be {(expected ? "allowed" : "refused")}");
            }
        }
    }

    [Fact]
    public void Creates_in_the_2017_log_name_their_objects_but_the_rules_for_them_have_no_names()
    {
        var admin = new RbacSubject(SubjectKind.User, "system:admin");
        var requests = TestEvents.CollectFile(V1Beta1Log, r => AuditRequestMapper.IsMadeBy(r, admin)).Requests();

        var generated = LeastPrivilegeGenerator.Generate(admin, requests, DiscoveryRbac.Snapshot, new LeastPrivilegeOptions { Name = "lp" });

        var createRules = generated.Roles.SelectMany(r => r.Rules).Where(r => r.Verbs.Contains("create")).ToList();
        Assert.Equal(2, createRules.Count);
        Assert.All(createRules, r => Assert.Empty(r.ResourceNames));
    }

    private static IEnumerable<LeastPrivilegeOptions> Variants()
    {
        yield return new LeastPrivilegeOptions { Name = "lp" };
        yield return new LeastPrivilegeOptions { Name = "lp", ExpandVerbs = false };
        yield return new LeastPrivilegeOptions { Name = "lp", WidenNames = true };
        yield return new LeastPrivilegeOptions { Name = "lp", WidenNamespaces = true };
        yield return new LeastPrivilegeOptions { Name = "lp", WidenNames = true, WidenNamespaces = true, ExpandVerbs = false };
    }

    /// <summary>The semantics, stated independently of the generator: the same path and HTTP verb; or the same group and resource, a verb the observed one implies, the observed name and namespace unless widened (none observed means all).</summary>
    private static bool Implies(RequestAttributes observed, RequestAttributes probe, LeastPrivilegeOptions options)
    {
        if (observed.User != probe.User || observed.IsResourceRequest != probe.IsResourceRequest)
        {
            return false;
        }

        if (!observed.IsResourceRequest)
        {
            return observed.Verb == probe.Verb && observed.Path == probe.Path;
        }

        var verbs = options.ExpandVerbs ? VerbExpansion.Expand(observed.Verb) : [observed.Verb];
        if (!verbs.Contains(probe.Verb))
        {
            return false;
        }

        return observed.ApiGroup == probe.ApiGroup && observed.Resource == probe.Resource && observed.Subresource == probe.Subresource
            && (options.WidenNames || observed.Name.Length == 0 || observed.Name == probe.Name)
            && (options.WidenNamespaces || observed.Namespace.Length == 0 || observed.Namespace == probe.Namespace);
    }

    /// <summary>Every verb on every observed shape, with the observed, no, and another name and namespace; paths and a path below them.</summary>
    private static IEnumerable<RequestAttributes> Probes(IReadOnlyList<LoggedRequest> requests)
    {
        foreach (var request in requests.Select(r => r.Attributes))
        {
            foreach (var verb in Verbs)
            {
                if (!request.IsResourceRequest)
                {
                    yield return request with { Verb = verb };
                    yield return request with { Verb = verb, Path = request.Path + "/below" };
                    continue;
                }

                foreach (var name in new[] { request.Name, string.Empty, "never-seen" }.Distinct())
                {
                    foreach (var @namespace in new[] { request.Namespace, string.Empty, "never-seen-ns" }.Distinct())
                    {
                        yield return request with { Verb = verb, Name = name, Namespace = @namespace };
                    }
                }
            }
        }
    }

    /// <summary>The objects as printed (a v1 List in JSON), read back with the loader: what is verified is what a user applies.</summary>
    private static RbacSnapshot Reload(GeneratedRbac generated)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RbacManifestWriter.WriteList(writer, generated);
        }

        var result = RbacLoader.LoadText(Encoding.UTF8.GetString(buffer.WrittenSpan), "generated.json");
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity != RbacDiagnosticSeverity.Info);
        Assert.Equal(generated.Roles.Count + generated.Bindings.Count, result.Snapshot.AllRoles.Count() + result.Snapshot.AllBindings.Count());
        return result.Snapshot;
    }
}
