using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Aggregation;

/// <summary>
/// metav1 label selector semantics (<c>LabelSelectorAsSelector</c>): every matchLabels pair must be
/// present with that value; <c>In</c> needs the label with one of the values; <c>NotIn</c> holds when
/// the label is absent or has another value; <c>Exists</c> and <c>DoesNotExist</c> look at the key only.
/// </summary>
public static class LabelSelectorMatcher
{
    /// <summary>Why the selector is invalid (the controller then leaves the role alone), or null when it is valid.</summary>
    public static string? Validate(LabelSelector selector)
    {
        foreach (var requirement in selector.MatchExpressions)
        {
            switch (requirement.Operator)
            {
                case "In" or "NotIn" when requirement.Values.Count == 0:
                    return $"matchExpressions key {requirement.Key}: operator {requirement.Operator} needs at least one value";
                case "Exists" or "DoesNotExist" when requirement.Values.Count > 0:
                    return $"matchExpressions key {requirement.Key}: operator {requirement.Operator} takes no values";
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    return $"matchExpressions key {requirement.Key}: \"{requirement.Operator}\" is not a valid operator (In, NotIn, Exists, DoesNotExist)";
            }

            if (requirement.Key.Length == 0)
            {
                return "matchExpressions: key is required";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="labels"/> satisfy a valid selector.</summary>
    public static bool Matches(LabelSelector selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in selector.MatchLabels)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions)
        {
            var present = labels.TryGetValue(requirement.Key, out var actual);
            var holds = requirement.Operator switch
            {
                "In" => present && requirement.Values.Contains(actual!, StringComparer.Ordinal),
                "NotIn" => !present || !requirement.Values.Contains(actual!, StringComparer.Ordinal),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }
}
