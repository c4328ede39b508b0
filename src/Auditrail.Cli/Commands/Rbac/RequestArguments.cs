using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary>
/// Turns kubectl-style <c>VERB RESOURCE[/SUB] [NAME]</c> or <c>VERB /non/resource/url</c> into a
/// request. RESOURCE may be <c>resource.group</c> (<c>deployments.apps</c>) or a kubectl short name
/// (<c>deploy</c>). Offline there is no discovery to map a bare resource to its group, so the group is
/// taken from the loaded rules that name the resource; when they name it in several groups the core
/// group, then a non-deprecated one, is preferred and a note says so.
/// </summary>
internal sealed class RequestArguments
{
    private readonly Argument<string> _verb = new("verb") { Description = "The verb: get, list, watch, create, update, patch, delete, deletecollection, or escalate, bind, impersonate, use, approve, sign…" };
    private readonly Argument<string> _target = new("resource") { Description = "RESOURCE[.GROUP][/SUBRESOURCE] (pods, deployments.apps, pods/exec, deploy) or a non-resource URL starting with /." };
    private readonly Argument<string?> _name = new("name") { Description = "The object's name; leave out for create, list and watch.", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _namespace = new("--namespace", "-n") { Description = "The request's namespace; leave out for cluster-scoped resources.", HelpName = "NS" };

    public void AddTo(Command command)
    {
        command.Arguments.Add(_verb);
        command.Arguments.Add(_target);
        command.Arguments.Add(_name);
        command.Options.Add(_namespace);
    }

    /// <summary>The request the arguments describe, or null after an error on stderr; notes on the group go to stderr too.</summary>
    public RequestAttributes? Build(ParseResult parseResult, RbacSnapshot snapshot, CliContext context)
    {
        var request = Parse(parseResult.GetValue(_verb)!, parseResult.GetValue(_target)!, parseResult.GetValue(_name), parseResult.GetValue(_namespace), snapshot, out var note, out var error);
        if (note is not null)
        {
            context.Error.WriteLine(note);
        }

        if (error is not null)
        {
            context.Error.WriteLine($"error: {error}");
        }

        return request;
    }

    // kubectl's short names for built-in resources, with the group each stands for.
    private static readonly Dictionary<string, (string Resource, string Group)> ShortNames = new(StringComparer.Ordinal)
    {
        ["po"] = ("pods", ""), ["svc"] = ("services", ""), ["cm"] = ("configmaps", ""), ["ns"] = ("namespaces", ""),
        ["no"] = ("nodes", ""), ["sa"] = ("serviceaccounts", ""), ["ep"] = ("endpoints", ""), ["ev"] = ("events", ""),
        ["pv"] = ("persistentvolumes", ""), ["pvc"] = ("persistentvolumeclaims", ""), ["rc"] = ("replicationcontrollers", ""),
        ["limits"] = ("limitranges", ""), ["quota"] = ("resourcequotas", ""),
        ["deploy"] = ("deployments", "apps"), ["ds"] = ("daemonsets", "apps"), ["sts"] = ("statefulsets", "apps"), ["rs"] = ("replicasets", "apps"),
        ["cj"] = ("cronjobs", "batch"), ["ing"] = ("ingresses", "networking.k8s.io"), ["netpol"] = ("networkpolicies", "networking.k8s.io"),
        ["csr"] = ("certificatesigningrequests", "certificates.k8s.io"), ["crd"] = ("customresourcedefinitions", "apiextensions.k8s.io"),
        ["hpa"] = ("horizontalpodautoscalers", "autoscaling"), ["pdb"] = ("poddisruptionbudgets", "policy"),
        ["sc"] = ("storageclasses", "storage.k8s.io"), ["pc"] = ("priorityclasses", "scheduling.k8s.io"),
    };

    // Built-in resources that live outside namespaces. kubectl asks discovery and drops -n for them; a
    // namespace left on the request would wrongly let that namespace's RoleBindings count.
    private static readonly HashSet<(string Group, string Resource)> ClusterScoped =
    [
        ("", "nodes"), ("", "namespaces"), ("", "persistentvolumes"), ("", "componentstatuses"),
        ("rbac.authorization.k8s.io", "clusterroles"), ("rbac.authorization.k8s.io", "clusterrolebindings"),
        ("certificates.k8s.io", "certificatesigningrequests"), ("certificates.k8s.io", "clustertrustbundles"),
        ("storage.k8s.io", "storageclasses"), ("storage.k8s.io", "csidrivers"), ("storage.k8s.io", "csinodes"), ("storage.k8s.io", "volumeattachments"),
        ("apiextensions.k8s.io", "customresourcedefinitions"), ("apiregistration.k8s.io", "apiservices"),
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"), ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
        ("admissionregistration.k8s.io", "validatingadmissionpolicies"), ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
        ("admissionregistration.k8s.io", "mutatingadmissionpolicies"), ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"),
        ("scheduling.k8s.io", "priorityclasses"), ("node.k8s.io", "runtimeclasses"), ("networking.k8s.io", "ingressclasses"),
        ("networking.k8s.io", "ipaddresses"), ("networking.k8s.io", "servicecidrs"),
        ("flowcontrol.apiserver.k8s.io", "flowschemas"), ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
        ("authentication.k8s.io", "tokenreviews"), ("authentication.k8s.io", "selfsubjectreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"), ("authorization.k8s.io", "selfsubjectaccessreviews"), ("authorization.k8s.io", "selfsubjectrulesreviews"),
        ("resource.k8s.io", "deviceclasses"),
    ];

    // Groups that only survive in old manifests; a bare resource found there and elsewhere means the other.
    private static readonly string[] DeprecatedGroups = ["extensions"];

    /// <summary>Whether a built-in resource lives outside namespaces (so RoleBindings never grant it).</summary>
    public static bool IsClusterScoped(RequestAttributes request) => request.IsResourceRequest && ClusterScoped.Contains((request.ApiGroup, request.Resource));

    /// <summary>The request, or an error for stderr. <paramref name="note"/> says how a bare resource's group was chosen.</summary>
    public static RequestAttributes? Parse(string verb, string target, string? name, string? @namespace, RbacSnapshot snapshot, out string? note, out string? error)
    {
        note = error = null;
        if (target.StartsWith('/'))
        {
            if (name is not null || !string.IsNullOrEmpty(@namespace))
            {
                error = "a non-resource URL takes no NAME and no namespace";
                return null;
            }

            return RequestAttributes.ForNonResource(verb, target);
        }

        var slash = target.IndexOf('/', StringComparison.Ordinal);
        var head = slash < 0 ? target : target[..slash];
        var subresource = slash < 0 ? string.Empty : target[(slash + 1)..];
        if (head.Length == 0 || subresource.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{target}' is not RESOURCE[.GROUP][/SUBRESOURCE] or a /path";
            return null;
        }

        var dot = head.IndexOf('.', StringComparison.Ordinal);
        string resource, group;
        if (dot >= 0)
        {
            (resource, group) = (head[..dot], head[(dot + 1)..]);
        }
        else if (ShortNames.TryGetValue(head, out var expanded))
        {
            (resource, group) = expanded;
        }
        else
        {
            resource = head;
            group = GroupFromRules(resource, snapshot, out note);
        }

        if (!string.IsNullOrEmpty(@namespace) && ClusterScoped.Contains((group, resource)))
        {
            note = (note is null ? string.Empty : note + Environment.NewLine) + $"note: {resource} is cluster-scoped; the namespace {@namespace} is ignored, as kubectl does";
            @namespace = null;
        }

        return RequestAttributes.ForResource(verb, group, resource, subresource, name ?? string.Empty, @namespace ?? string.Empty);
    }

    private static string GroupFromRules(string resource, RbacSnapshot snapshot, out string? note)
    {
        var groups = snapshot.AllRoles
            .SelectMany(r => r.Rules)
            .Where(r => r.Resources.Any(x => x == resource || x.StartsWith(resource + "/", StringComparison.Ordinal)))
            .SelectMany(r => r.ApiGroups)
            .Where(g => g != PolicyRule.All)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(g => g.Length == 0 ? 0 : DeprecatedGroups.Contains(g) ? 2 : 1)
            .ThenBy(g => g, StringComparer.Ordinal)
            .ToList();
        if (groups.Count == 0)
        {
            note = $"note: no loaded rule names '{resource}' in a group; assuming the core group (write {resource}.GROUP for another)";
            return string.Empty;
        }

        // Several groups serve some resources (events in core and events.k8s.io, pods in core and
        // metrics.k8s.io); kubectl then means the core one, so only a choice among others is worth a note.
        note = groups.Count == 1 || groups[0].Length == 0 ? null
            : $"note: '{resource}' is named in groups {string.Join(", ", groups.Select(g => g.Length == 0 ? "\"\" (core)" : g))}; using {(groups[0].Length == 0 ? "the core group" : groups[0])} (write {resource}.GROUP for another)";
        return groups[0];
    }
}
