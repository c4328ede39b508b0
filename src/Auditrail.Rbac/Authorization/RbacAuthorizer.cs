using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Authorization;

/// <summary>
/// The RBAC authorizer with the apiserver's semantics (<c>plugin/pkg/auth/authorizer/rbac</c> and
/// <c>pkg/registry/rbac/validation/rule.go</c>): a request is allowed when some rule of a role bound to
/// the user allows it. ClusterRoleBindings count everywhere (and are the only way to reach
/// non-resource URLs); RoleBindings count only for requests in their own namespace, whether they
/// reference a Role of that namespace or a ClusterRole.
/// </summary>
public sealed class RbacAuthorizer(RbacSnapshot snapshot)
{
    public RbacSnapshot Snapshot { get; } = snapshot;

    /// <summary>Whether the request is allowed, with every grant that allows it.</summary>
    public AuthorizationResult Authorize(RequestAttributes request)
    {
        List<RbacGrant>? grants = null;
        List<string>? problems = null;
        foreach (var binding in ApplicableBindings(request.Namespace))
        {
            var subject = FirstApplyingSubject(binding, request.User, request.Groups);
            if (subject is null)
            {
                continue;
            }

            var role = Snapshot.ResolveRoleRef(binding);
            if (role is null)
            {
                (problems ??= []).Add(DescribeUnresolved(binding));
                continue;
            }

            for (var i = 0; i < role.Rules.Count; i++)
            {
                if (RuleAllows(role.Rules[i], request))
                {
                    (grants ??= []).Add(new RbacGrant(binding, subject, role, role.Rules[i], i));
                }
            }
        }

        return grants is null && problems is null
            ? AuthorizationResult.NoOpinion
            : new AuthorizationResult(grants is not null, grants ?? [], problems ?? []);
    }

    /// <summary>
    /// Every (binding, subject, rule) that would allow the request whoever makes it: the request's
    /// user and groups are ignored. A service account subject of a ClusterRoleBinding without a
    /// namespace is left out, because it matches nobody.
    /// </summary>
    public IReadOnlyList<RbacGrant> WhoCan(RequestAttributes request)
    {
        var grants = new List<RbacGrant>();
        AddGrants(grants, ApplicableBindings(request.Namespace), request);
        return grants;
    }

    /// <summary>
    /// Every grant that allows the request in at least one namespace: ClusterRoleBindings, then each
    /// namespace's RoleBindings for the request made in that namespace (<see cref="RequestAttributes.Namespace"/>
    /// is ignored). For a cluster-scoped resource only the ClusterRoleBindings are meaningful; the caller knows
    /// which resources those are (<see cref="WhoCan"/> with no namespace).
    /// </summary>
    public IReadOnlyList<RbacGrant> WhoCanInAnyNamespace(RequestAttributes request)
    {
        var grants = new List<RbacGrant>();
        AddGrants(grants, Snapshot.ClusterRoleBindings, request with { Namespace = string.Empty });
        if (request.IsResourceRequest)
        {
            foreach (var group in Snapshot.RoleBindings.GroupBy(b => b.Namespace, StringComparer.Ordinal))
            {
                AddGrants(grants, group, request with { Namespace = group.Key });
            }
        }

        return grants;
    }

    private void AddGrants(List<RbacGrant> grants, IEnumerable<RbacBinding> bindings, RequestAttributes request)
    {
        foreach (var binding in bindings)
        {
            if (Snapshot.ResolveRoleRef(binding) is not { } role)
            {
                continue;
            }

            for (var i = 0; i < role.Rules.Count; i++)
            {
                if (!RuleAllows(role.Rules[i], request))
                {
                    continue;
                }

                foreach (var subject in binding.Subjects)
                {
                    if (CanMatchAnyone(subject, binding))
                    {
                        grants.Add(new RbacGrant(binding, subject, role, role.Rules[i], i));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether one rule allows the request, exactly as upstream <c>RuleAllows</c>: for a resource
    /// request the verb, API group, resource (with subresource) and name must all match; for a
    /// non-resource request the verb and path.
    /// </summary>
    public static bool RuleAllows(PolicyRule rule, RequestAttributes request) =>
        request.IsResourceRequest
            ? VerbMatches(rule, request.Verb)
                && ApiGroupMatches(rule, request.ApiGroup)
                && ResourceMatches(rule, request.Resource, request.Subresource)
                && ResourceNameMatches(rule, request.Name)
            : VerbMatches(rule, request.Verb) && NonResourceUrlMatches(rule, request.Path);

    /// <summary><c>*</c> or the exact verb.</summary>
    public static bool VerbMatches(PolicyRule rule, string verb) => ContainsOrWildcard(rule.Verbs, verb);

    /// <summary><c>*</c> or the exact group (<c>""</c> for core).</summary>
    public static bool ApiGroupMatches(PolicyRule rule, string apiGroup) => ContainsOrWildcard(rule.ApiGroups, apiGroup);

    /// <summary>
    /// <c>*</c>; the exact <c>resource</c> or <c>resource/subresource</c>; or <c>*/subresource</c> for
    /// a request with that subresource. Nothing else is a pattern: <c>pods/*</c> matches only a
    /// subresource literally named <c>*</c>, and <c>pods</c> does not match <c>pods/log</c>.
    /// </summary>
    public static bool ResourceMatches(PolicyRule rule, string resource, string subresource)
    {
        foreach (var ruleResource in rule.Resources)
        {
            if (ruleResource == PolicyRule.All)
            {
                return true;
            }

            if (IsCombined(ruleResource, resource, subresource))
            {
                return true;
            }

            if (subresource.Length > 0
                && ruleResource.Length == subresource.Length + 2
                && ruleResource.StartsWith("*/", StringComparison.Ordinal)
                && ruleResource.EndsWith(subresource, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A rule without resourceNames matches every name; a rule with some matches only those names, so
    /// a request without a name (create, list, watch, deletecollection) never matches it.
    /// </summary>
    public static bool ResourceNameMatches(PolicyRule rule, string name)
    {
        if (rule.ResourceNames.Count == 0)
        {
            return true;
        }

        foreach (var ruleName in rule.ResourceNames)
        {
            if (ruleName == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>*</c>, the exact path, or a prefix written with trailing <c>*</c> (<c>/logs/*</c> covers <c>/logs/</c> and below).</summary>
    public static bool NonResourceUrlMatches(PolicyRule rule, string path)
    {
        foreach (var url in rule.NonResourceUrls)
        {
            if (url == PolicyRule.All || url == path)
            {
                return true;
            }

            // Upstream trims every trailing '*', so "/api**" is the prefix "/api".
            if (url.EndsWith('*') && path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The bindings that count for a request in <paramref name="namespace"/>: every ClusterRoleBinding,
    /// then the RoleBindings of that namespace (none for cluster-scoped and non-resource requests).
    /// </summary>
    public IEnumerable<RbacBinding> ApplicableBindings(string @namespace) =>
        @namespace.Length == 0 ? Snapshot.ClusterRoleBindings : Snapshot.ClusterRoleBindings.Concat(Snapshot.RoleBindingsIn(@namespace));

    /// <summary>The first subject of the binding that is this user, as upstream <c>appliesTo</c>.</summary>
    public static RbacSubject? FirstApplyingSubject(RbacBinding binding, string user, IReadOnlyList<string> groups)
    {
        foreach (var subject in binding.Subjects)
        {
            if (subject.AppliesTo(user, groups, binding.Namespace))
            {
                return subject;
            }
        }

        return null;
    }

    /// <summary>False only for a subject no request can ever be: a service account with no namespace in a ClusterRoleBinding.</summary>
    public static bool CanMatchAnyone(RbacSubject subject, RbacBinding binding) =>
        subject.Kind != SubjectKind.ServiceAccount || subject.EffectiveNamespace(binding.Namespace).Length > 0;

    private string DescribeUnresolved(RbacBinding binding) =>
        binding.RoleRef.Kind switch
        {
            RoleRef.RoleKind when binding.IsClusterBinding => $"{binding.DisplayName} references {binding.RoleRef}, but a ClusterRoleBinding can only reference a ClusterRole",
            RoleRef.RoleKind or RoleRef.ClusterRoleKind => $"{binding.DisplayName} references {binding.RoleRef}, which does not exist{(binding.RoleRef.IsClusterRole || binding.IsClusterBinding ? "" : $" in namespace {binding.Namespace}")}",
            _ => $"{binding.DisplayName} references unsupported role kind \"{binding.RoleRef.Kind}\"",
        };

    // ruleResource == resource + "/" + subresource (or == resource without one), without building the string.
    private static bool IsCombined(string ruleResource, string resource, string subresource) =>
        subresource.Length == 0
            ? ruleResource == resource
            : ruleResource.Length == resource.Length + 1 + subresource.Length
                && ruleResource.StartsWith(resource, StringComparison.Ordinal)
                && ruleResource[resource.Length] == '/'
                && ruleResource.EndsWith(subresource, StringComparison.Ordinal);

    private static bool ContainsOrWildcard(IReadOnlyList<string> values, string value)
    {
        foreach (var candidate in values)
        {
            if (candidate == PolicyRule.All || candidate == value)
            {
                return true;
            }
        }

        return false;
    }
}
