namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>
/// The verbs a generated rule grants beside the one observed, as audit2rbac grants them: a client that
/// lists also watches and gets (informers list, then watch, and read single objects), one that
/// watches also lists and gets, and one that updates or patches also reads the object and uses the
/// other write verb (kubectl apply and edit move between them). Nothing else is expanded: get alone
/// stays get, and create, delete and special verbs stay as observed.
/// </summary>
public static class VerbExpansion
{
    private static readonly Dictionary<string, string[]> Implied = new(StringComparer.Ordinal)
    {
        ["list"] = ["get", "watch"],
        ["watch"] = ["get", "list"],
        ["update"] = ["get", "patch"],
        ["patch"] = ["get", "update"],
    };

    /// <summary>The observed verb followed by the verbs it implies (none for verbs that imply nothing).</summary>
    public static IReadOnlyList<string> Expand(string verb) =>
        Implied.TryGetValue(verb, out var more) ? [verb, .. more] : [verb];

    /// <summary>True for a verb whose expansion covers others: such requests are placed first, so their rules absorb the narrower ones.</summary>
    public static bool ExpandsToOthers(string verb) => Implied.ContainsKey(verb);
}
