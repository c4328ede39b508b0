namespace Auditrail.Rbac.Model;

/// <summary>The kinds of subject a binding may name.</summary>
public enum SubjectKind
{
    User,
    Group,
    ServiceAccount,
}

/// <summary>
/// A binding's subject. <see cref="Namespace"/> is only meaningful for a ServiceAccount; it is kept as
/// written (possibly empty), because the apiserver defaults an empty one to the RoleBinding's
/// namespace at authorization time, not when the object is stored.
/// </summary>
public sealed record RbacSubject(SubjectKind Kind, string Name, string Namespace = "")
{
    /// <summary>The username prefix the service account authenticator gives every service account.</summary>
    public const string ServiceAccountUserPrefix = "system:serviceaccount:";

    /// <summary>The username a service account authenticates as: <c>system:serviceaccount:NS:NAME</c>.</summary>
    public static string ServiceAccountUserName(string @namespace, string name) => $"{ServiceAccountUserPrefix}{@namespace}:{name}";

    /// <summary>
    /// The namespace this subject's service account lives in when it appears in a binding of
    /// <paramref name="bindingNamespace"/> (<c>""</c> for a ClusterRoleBinding): the subject's own when
    /// written, else the binding's; <c>""</c> when neither, and then the subject matches nobody.
    /// </summary>
    public string EffectiveNamespace(string bindingNamespace) => Namespace.Length > 0 ? Namespace : bindingNamespace;

    /// <summary>
    /// Whether a request by <paramref name="user"/> carrying <paramref name="groups"/> is this subject,
    /// as upstream <c>appliesToUser</c> decides: users and groups by exact name; a service account by
    /// its username, with the namespace defaulted from the binding.
    /// </summary>
    public bool AppliesTo(string user, IReadOnlyList<string> groups, string bindingNamespace)
    {
        switch (Kind)
        {
            case SubjectKind.User:
                return string.Equals(user, Name, StringComparison.Ordinal);
            case SubjectKind.Group:
                foreach (var group in groups)
                {
                    if (string.Equals(group, Name, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            case SubjectKind.ServiceAccount:
                var saNamespace = EffectiveNamespace(bindingNamespace);
                return saNamespace.Length > 0 && IsServiceAccountUser(user, saNamespace, Name);
            default:
                return false;
        }
    }

    /// <summary>For messages: <c>User alice</c>, <c>Group system:masters</c>, <c>ServiceAccount kube-system/foo</c>.</summary>
    public string Describe(string bindingNamespace = "") => Kind == SubjectKind.ServiceAccount
        ? $"ServiceAccount {EffectiveNamespace(bindingNamespace)}/{Name}"
        : $"{Kind} {Name}";

    public override string ToString() => Describe();

    // Compares piecewise so the check allocates nothing; same result as comparing with ServiceAccountUserName.
    private static bool IsServiceAccountUser(string user, string @namespace, string name) =>
        user.Length == ServiceAccountUserPrefix.Length + @namespace.Length + 1 + name.Length
        && user.StartsWith(ServiceAccountUserPrefix, StringComparison.Ordinal)
        && string.CompareOrdinal(user, ServiceAccountUserPrefix.Length, @namespace, 0, @namespace.Length) == 0
        && user[ServiceAccountUserPrefix.Length + @namespace.Length] == ':'
        && user.EndsWith(name, StringComparison.Ordinal);
}
