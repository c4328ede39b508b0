using Auditrail.Admission.Review;

namespace Auditrail.Admission.Guardrails;

/// <summary>Whether a guardrail's <c>match</c> selects a request, with the apiserver's rules for cluster-scoped objects.</summary>
internal static class GuardrailMatcher
{
    public static bool Matches(GuardrailMatch match, AdmissionRequest request, ReviewInputs inputs)
    {
        if (!string.IsNullOrEmpty(request.SubResource) && !match.Subresources.Contains(request.SubResource, StringComparer.Ordinal))
        {
            return false;
        }

        if (!match.Operations.Contains(request.Operation))
        {
            return false;
        }

        if (match.Kinds.Count > 0 && !match.Kinds.Any(k => k.Matches(request.Kind)))
        {
            return false;
        }

        var namespaced = !string.IsNullOrEmpty(request.Namespace);

        // A list of namespaces names where the guardrail applies: a cluster-scoped object is in none of them.
        if (match.Namespaces.Count > 0 && !(namespaced && match.Namespaces.Contains(request.Namespace!, StringComparer.Ordinal)))
        {
            return false;
        }

        if (namespaced && match.ExcludeNamespaces.Contains(request.Namespace!, StringComparer.Ordinal))
        {
            return false;
        }

        // As admission webhooks and ValidatingAdmissionPolicy do: a namespace selector judges a Namespace
        // by its own labels, and never excludes other cluster-scoped objects.
        if (match.NamespaceSelector is { } selector && inputs.NamespaceLabels is { } labels && !selector.Matches(labels))
        {
            return false;
        }

        return MatchesSubject(match, request.UserInfo);
    }

    /// <summary>With users or groups listed, the request's user must be one of the users or belong to one of the groups.</summary>
    private static bool MatchesSubject(GuardrailMatch match, AdmissionUserInfo user)
    {
        if (match.Users.Count == 0 && match.Groups.Count == 0)
        {
            return true;
        }

        return match.Users.Any(pattern => NameMatches(pattern, user.Username))
            || match.Groups.Any(pattern => user.Groups.Any(group => NameMatches(pattern, group)));
    }

    /// <summary>Exact, or a prefix ending in <c>*</c> (<c>system:serviceaccount:ci:*</c>).</summary>
    private static bool NameMatches(string pattern, string name) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;
}
