using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>
/// Generates the Roles, ClusterRoles and bindings that allow one identity's observed requests and, up
/// to the options' widening and verb expansion, nothing else. Requests the existing RBAC already
/// allows get nothing. The others are taken broadest first (non-resource, then cluster-wide, then
/// unnamed, then verbs that expand), and a request a rule generated earlier already allows adds
/// nothing: a list, expanded to get, absorbs the single gets that follow it. A namespaced request
/// gets a rule in a Role of its namespace; a cluster-scoped or non-resource one (and, widened, every
/// request) in the ClusterRole, bound by a ClusterRoleBinding. Rules are then compacted.
/// </summary>
public static class LeastPrivilegeGenerator
{
    public static GeneratedRbac Generate(RbacSubject subject, IReadOnlyList<LoggedRequest> requests, RbacSnapshot existing, LeastPrivilegeOptions options)
    {
        var existingAuthorizer = new RbacAuthorizer(existing);
        var alreadyAllowed = new List<LoggedRequest>();
        var needed = new List<RequestAttributes>();
        foreach (var request in requests)
        {
            if (existingAuthorizer.Authorize(request.Attributes).Allowed)
            {
                alreadyAllowed.Add(request);
            }
            else
            {
                needed.Add(Widen(request.Attributes, options));
            }
        }

        var clusterRules = new List<PolicyRule>();
        var namespaceRules = new SortedDictionary<string, List<PolicyRule>>(StringComparer.Ordinal);
        foreach (var request in needed.OrderBy(r => r, BroadestFirst.Instance))
        {
            var inNamespace = request.IsResourceRequest && request.Namespace.Length > 0;
            var roleRules = inNamespace && namespaceRules.TryGetValue(request.Namespace, out var list) ? list : null;
            if (Allows(clusterRules, request) || roleRules is not null && Allows(roleRules, request))
            {
                continue;
            }

            var rule = ToRule(request, options.ExpandVerbs);
            if (!inNamespace)
            {
                clusterRules.Add(rule);
            }
            else
            {
                if (roleRules is null)
                {
                    namespaceRules[request.Namespace] = roleRules = [];
                }

                roleRules.Add(rule);
            }
        }

        var roles = new List<RbacRole>();
        var bindings = new List<RbacBinding>();
        if (clusterRules.Count > 0)
        {
            roles.Add(new RbacRole { IsClusterRole = true, Name = options.Name, Rules = RuleCompactor.Compact(clusterRules), Labels = options.Labels });
            bindings.Add(new RbacBinding
            {
                IsClusterBinding = true,
                Name = options.Name,
                RoleRef = new RoleRef(RoleRef.ClusterRoleKind, options.Name),
                Subjects = [subject],
            });
        }

        foreach (var (@namespace, rules) in namespaceRules)
        {
            roles.Add(new RbacRole { Name = options.Name, Namespace = @namespace, Rules = RuleCompactor.Compact(rules), Labels = options.Labels });
            bindings.Add(new RbacBinding
            {
                Name = options.Name,
                Namespace = @namespace,
                RoleRef = new RoleRef(RoleRef.RoleKind, options.Name),
                Subjects = [subject],
            });
        }

        return new GeneratedRbac(roles, bindings, alreadyAllowed, options.Labels, options.Annotations);
    }

    /// <summary>The request as the rules must allow it once widened: without its name, without its namespace, as asked.</summary>
    public static RequestAttributes Widen(RequestAttributes request, LeastPrivilegeOptions options) =>
        !request.IsResourceRequest ? request : request with
        {
            Name = options.WidenNames ? string.Empty : request.Name,
            Namespace = options.WidenNamespaces ? string.Empty : request.Namespace,
        };

    /// <summary>
    /// The single rule that allows this request: its verb (expanded if asked), group,
    /// resource/subresource and name; or its HTTP verb and path, never expanded (a non-resource
    /// verb is the request's method, and list or watch mean nothing there), as audit2rbac does.
    /// </summary>
    public static PolicyRule ToRule(RequestAttributes request, bool expandVerbs) =>
        request.IsResourceRequest
            ? new PolicyRule
            {
                Verbs = expandVerbs ? VerbExpansion.Expand(request.Verb) : [request.Verb],
                ApiGroups = [request.ApiGroup],
                Resources = [request.CombinedResource],
                ResourceNames = request.Name.Length == 0 ? [] : [request.Name],
            }
            : new PolicyRule { Verbs = [request.Verb], NonResourceUrls = [request.Path] };

    private static bool Allows(List<PolicyRule> rules, RequestAttributes request)
    {
        foreach (var rule in rules)
        {
            if (RbacAuthorizer.RuleAllows(rule, request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Non-resource before resource, cluster-wide before namespaced, unnamed before named, expanding verbs first, then a stable order.</summary>
    private sealed class BroadestFirst : IComparer<RequestAttributes>
    {
        public static BroadestFirst Instance { get; } = new();

        public int Compare(RequestAttributes? x, RequestAttributes? y)
        {
            if (x is null || y is null)
            {
                return RequestOrder.Instance.Compare(x, y);
            }

            var c = x.IsResourceRequest.CompareTo(y.IsResourceRequest);
            if (c == 0)
            {
                c = (x.Namespace.Length > 0).CompareTo(y.Namespace.Length > 0);
            }

            if (c == 0)
            {
                c = (x.Name.Length > 0).CompareTo(y.Name.Length > 0);
            }

            if (c == 0)
            {
                c = VerbExpansion.ExpandsToOthers(y.Verb).CompareTo(VerbExpansion.ExpandsToOthers(x.Verb));
            }

            return c != 0 ? c : RequestOrder.Instance.Compare(x, y);
        }
    }
}
