using Auditrail.Rbac.Loading;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.Loading;

/// <summary>Manifests in every shape kubectl writes them, and broken ones reported with file:line while the rest loads.</summary>
public sealed class RbacLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-rbac-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Reader = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: reader
          labels: {team: a}
        rules:
        - apiGroups: [""]
          resources: [pods, pods/log]
          verbs: [get, list]
        - nonResourceURLs: [/metrics]
          verbs: [get]
        """;

    [Fact]
    public void Reads_multi_document_yaml_with_every_kind()
    {
        var text = Reader + """

            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: cm, namespace: team}
            rules:
            - {apiGroups: [""], resources: [configmaps], resourceNames: [settings], verbs: [get]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: cm, namespace: team}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm}
            subjects:
            - {kind: ServiceAccount, name: app}
            - {kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: app, namespace: team}
            ---
            """;

        var result = RbacLoader.LoadText(text, "all.yaml");

        Assert.Empty(result.Diagnostics);
        var reader = Assert.Single(result.Snapshot.ClusterRoles);
        Assert.Equal(new ManifestLocation("all.yaml", 1, 1), reader.Source);
        Assert.Equal(["pods", "pods/log"], reader.Rules[0].Resources);
        Assert.Equal(["/metrics"], reader.Rules[1].NonResourceUrls);
        Assert.Equal("a", reader.Labels["team"]);
        Assert.Equal(["settings"], Assert.Single(result.Snapshot.Roles).Rules[0].ResourceNames);
        var binding = Assert.Single(result.Snapshot.RoleBindings);
        Assert.Equal([new RbacSubject(SubjectKind.ServiceAccount, "app"), new RbacSubject(SubjectKind.User, "alice")], binding.Subjects);
        Assert.Equal("system:serviceaccount:team:app", Assert.Single(result.Snapshot.ServiceAccounts).UserName);
    }

    [Fact]
    public void Reads_kubectl_json_lists_and_typed_lists_whose_items_have_no_kind()
    {
        var json = """
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBindingList", "metadata": {"resourceVersion": "1"},
             "items": [{"metadata": {"name": "ops"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
                        "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"}]}]}
            """;
        Write("a/reader.yaml", Reader);
        Write("b/bindings.json", json);
        Write("b/notes.txt", "not a manifest");

        var result = RbacLoader.LoadPaths([_dir]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal("ops", Assert.Single(result.Snapshot.ClusterRoleBindings).Name);
        Assert.Single(result.Snapshot.ClusterRoles);
    }

    [Fact]
    public void Broken_yaml_in_one_document_loses_only_that_document()
    {
        var text = Reader + "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x\n---\n"
            + "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b, namespace: x}\n";

        var result = RbacLoader.LoadText(text, "mixed.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(RbacCodes.YamlSyntax, error.Code);
        Assert.Equal("mixed.yaml", error.Location.File);
        Assert.InRange(error.Location.Line, 15, 17);
        Assert.Single(result.Snapshot.ClusterRoles);
        Assert.Equal("b", Assert.Single(result.Snapshot.ServiceAccounts).Name);
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void Unknown_kinds_are_skipped_with_a_note()
    {
        var text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n"
            + "apiVersion: example.com/v1\nkind: Role\nmetadata: {name: not-rbac}\n---\n" + Reader;

        var result = RbacLoader.LoadText(text, "k.yaml");

        Assert.All(result.Diagnostics, d => Assert.Equal(RbacDiagnosticSeverity.Info, d.Severity));
        Assert.Equal(["k.yaml:1:1 info AR4004 apps/v1 Deployment is not an RBAC object; skipped", "k.yaml:5:1 info AR4004 example.com/v1 Role is not an RBAC object; skipped"],
            result.Diagnostics.Select(d => d.ToString()));
        Assert.Single(result.Snapshot.ClusterRoles);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void Wrong_types_are_errors_at_their_line_and_drop_only_that_object()
    {
        var text = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: broken}
            rules:
            - apiGroups: [""]
              resources: pods
              verbs: [get]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: b}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: fine}
            subjects: {kind: User, name: alice}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: fine}
            rules:
            - apiGroups: [""]
              resources: [pods]
              verbs: [get, {all: true}]
            - apiGroups: [""]
              resources: [pods]
              verbs: [list]
            """;

        var result = RbacLoader.LoadText(text, "t.yaml");

        var errors = result.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToList();
        Assert.Contains("t.yaml:6:14 error AR4005 rules[0].resources must be a list", errors);
        Assert.Contains("t.yaml:13:11 error AR4005 subjects must be a list", errors);
        Assert.Contains("t.yaml:21:16 error AR4005 rules[0].verbs[1] must be a string", errors);
        Assert.Contains(errors, e => e.StartsWith("t.yaml:1:1 error AR4007 ClusterRole broken is not loaded", StringComparison.Ordinal));
        Assert.Empty(result.Snapshot.ClusterRoles);
        Assert.Empty(result.Snapshot.ClusterRoleBindings);
    }

    [Fact]
    public void Objects_the_apiserver_would_refuse_are_reported_and_left_out()
    {
        var text = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: r, namespace: n}
            rules:
            - nonResourceURLs: [/healthz]
              verbs: [get]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: crb}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: rb, namespace: n}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}
            subjects: [{kind: Robot, name: r2d2}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: noverbs}
            rules: [{apiGroups: [""], resources: [pods]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {namespace: n}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}
            """;

        var result = RbacLoader.LoadText(text, "v.yaml");

        var messages = result.Diagnostics.Where(d => d.IsError).Select(d => $"{d.Location.Line} {d.Code} {d.Message}").ToList();
        Assert.Contains("5 AR4007 rules[0]: a namespaced Role cannot grant non-resource URLs", messages);
        Assert.Contains("11 AR4007 a ClusterRoleBinding can only reference a ClusterRole", messages);
        Assert.Contains("17 AR4007 subjects[0].kind must be User, Group or ServiceAccount, not \"Robot\"", messages);
        Assert.Contains("22 AR4006 rules[0].verbs must contain at least one value", messages);
        Assert.Contains("26 AR4006 RoleBinding has no metadata.name; skipped", messages);
        Assert.Empty(result.Snapshot.AllRoles);
        Assert.Empty(result.Snapshot.AllBindings);
    }

    [Fact]
    public void Warns_about_what_loads_but_grants_nothing_or_is_ambiguous()
    {
        var text = """
            apiVersion: rbac.authorization.k8s.io/v1beta1
            kind: ClusterRoleBinding
            metadata: {name: old}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: missing}
            subjects:
            - {kind: ServiceAccount, name: nobody}
            - {kind: User, name: alice, namspace: typo}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: r}
            rules: [{apiGroups: [""], resources: [pods], verbs: [get], resourceName: [x]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: r, namespace: default}
            rules: null
            """;

        var result = RbacLoader.LoadText(text, "w.yaml");

        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        var warnings = result.Diagnostics.Select(d => $"{d.Location.Line} {d.Code}").ToList();
        Assert.Equal(["1 AR4010", "6 AR4012", "7 AR4009", "11 AR4006", "12 AR4009", "14 AR4008", "1 AR4011"], warnings);
        Assert.Contains("did you mean namespace?", result.Diagnostics[2].Message);
        Assert.Contains("did you mean resourceNames?", result.Diagnostics[4].Message);
        // The later definition wins, as applying the documents in order leaves it.
        Assert.Empty(Assert.Single(result.Snapshot.Roles).Rules);
    }

    [Fact]
    public void A_missing_file_is_an_error_and_other_paths_still_load()
    {
        var reader = Write("reader.yaml", Reader);
        var missing = Path.Combine(_dir, "missing.yaml");

        var result = RbacLoader.LoadPaths([missing, reader]);

        Assert.Equal($"{missing} error AR4002 cannot read: no such file or directory", Assert.Single(result.Diagnostics).ToString());
        Assert.Single(result.Snapshot.ClusterRoles);
    }

    [Fact]
    public void Directories_are_read_in_ordinal_order_so_the_last_duplicate_wins_everywhere()
    {
        Write("b/role.yaml", Reader.Replace("verbs: [get, list]", "verbs: [watch]", StringComparison.Ordinal));
        Write("a/role.yaml", Reader);

        var result = RbacLoader.LoadPaths([_dir]);

        var duplicate = Assert.Single(result.Diagnostics);
        Assert.Equal(RbacCodes.Duplicate, duplicate.Code);
        Assert.EndsWith(Path.Combine("b", "role.yaml"), duplicate.Location.File, StringComparison.Ordinal);
        Assert.Equal(["watch"], Assert.Single(result.Snapshot.ClusterRoles).Rules[0].Verbs);
    }
}
