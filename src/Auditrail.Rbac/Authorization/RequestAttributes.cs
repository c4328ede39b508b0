namespace Auditrail.Rbac.Authorization;

/// <summary>
/// What the RBAC authorizer sees of a request (the apiserver's <c>authorizer.Attributes</c>): who
/// (user and groups), and either a resource (verb, group, resource, subresource, name, namespace) or a
/// non-resource path.
/// <para>
/// Groups are taken as given. The apiserver's authenticators add implied groups before RBAC runs, and
/// so must a caller who builds a request by hand: every authenticated user carries
/// <c>system:authenticated</c>; an anonymous request is <c>system:anonymous</c> in
/// <c>system:unauthenticated</c>; a service account user <c>system:serviceaccount:NS:NAME</c> carries
/// <c>system:serviceaccounts</c>, <c>system:serviceaccounts:NS</c> and <c>system:authenticated</c>.
/// <see cref="WithImpliedGroups"/> adds them.
/// </para>
/// </summary>
public sealed record RequestAttributes
{
    public const string AuthenticatedGroup = "system:authenticated";
    public const string UnauthenticatedGroup = "system:unauthenticated";
    public const string AnonymousUser = "system:anonymous";
    public const string ServiceAccountsGroup = "system:serviceaccounts";

    public string User { get; init; } = string.Empty;

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>The authorization verb (get, list, watch, create, update, patch, delete, deletecollection, or a special verb such as escalate).</summary>
    public required string Verb { get; init; }

    /// <summary>The API group; <c>""</c> is the core group.</summary>
    public string ApiGroup { get; init; } = string.Empty;

    public string Resource { get; init; } = string.Empty;

    public string Subresource { get; init; } = string.Empty;

    /// <summary>The object name; <c>""</c> for create, list and watch of a collection.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The namespace; <c>""</c> for cluster-scoped requests and requests across all namespaces.</summary>
    public string Namespace { get; init; } = string.Empty;

    public bool IsResourceRequest { get; init; } = true;

    /// <summary>The URL path of a non-resource request, e.g. <c>/healthz</c>.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>The resource with its subresource, as rules spell it: <c>pods/exec</c>.</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    /// <summary>A resource request.</summary>
    public static RequestAttributes ForResource(string verb, string apiGroup, string resource, string subresource = "", string name = "", string @namespace = "") =>
        new() { Verb = verb, ApiGroup = apiGroup, Resource = resource, Subresource = subresource, Name = name, Namespace = @namespace };

    /// <summary>A non-resource request such as <c>get /metrics</c>.</summary>
    public static RequestAttributes ForNonResource(string verb, string path) =>
        new() { Verb = verb, Path = path, IsResourceRequest = false };

    /// <summary>The same request made by <paramref name="user"/> in <paramref name="groups"/> (taken as given).</summary>
    public RequestAttributes As(string user, params IReadOnlyList<string> groups) => this with { User = user, Groups = groups };

    /// <summary>
    /// The same request with the groups the authenticators would have added for this user: for
    /// <c>system:anonymous</c>, <c>system:unauthenticated</c>; for anyone else
    /// <c>system:authenticated</c>, and for a service account also <c>system:serviceaccounts</c> and
    /// <c>system:serviceaccounts:NS</c>. Groups already present are not repeated.
    /// </summary>
    public RequestAttributes WithImpliedGroups() => this with { Groups = ImpliedGroups(User, Groups) };

    /// <summary>The groups of <paramref name="groups"/> plus those the authenticators imply for <paramref name="user"/>.</summary>
    public static IReadOnlyList<string> ImpliedGroups(string user, IReadOnlyList<string> groups)
    {
        var result = new List<string>(groups);
        void Add(string group)
        {
            if (!result.Contains(group, StringComparer.Ordinal))
            {
                result.Add(group);
            }
        }

        if (user == AnonymousUser)
        {
            Add(UnauthenticatedGroup);
            return result;
        }

        if (TryParseServiceAccount(user, out var @namespace, out _))
        {
            Add(ServiceAccountsGroup);
            Add($"{ServiceAccountsGroup}:{@namespace}");
        }

        // A caller who says the request is unauthenticated is not contradicted (the impersonation filter does the same).
        if (!result.Contains(UnauthenticatedGroup, StringComparer.Ordinal))
        {
            Add(AuthenticatedGroup);
        }

        return result;
    }

    /// <summary>Splits <c>system:serviceaccount:NS:NAME</c>; false for any other username.</summary>
    public static bool TryParseServiceAccount(string user, out string @namespace, out string name)
    {
        @namespace = name = string.Empty;
        if (!user.StartsWith(Model.RbacSubject.ServiceAccountUserPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = user.AsSpan(Model.RbacSubject.ServiceAccountUserPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1 || rest[(colon + 1)..].Contains(':'))
        {
            return false;
        }

        @namespace = rest[..colon].ToString();
        name = rest[(colon + 1)..].ToString();
        return true;
    }

    public override string ToString()
    {
        if (!IsResourceRequest)
        {
            return $"{Verb} {Path}";
        }

        var resource = ApiGroup.Length == 0 ? CombinedResource : $"{Resource}.{ApiGroup}{(Subresource.Length == 0 ? "" : "/" + Subresource)}";
        var name = Name.Length == 0 ? string.Empty : $" {Name}";
        var where = Namespace.Length == 0 ? string.Empty : $" in {Namespace}";
        return $"{Verb} {resource}{name}{where}";
    }
}
