using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Restricted (v1.22+): every container must drop ALL capabilities and may add back only
/// NET_BIND_SERVICE. It replaces <c>capabilities_baseline</c> at restricted; Windows pods are exempt
/// from v1.25 (the API refuses Linux capabilities on them).
/// </summary>
internal static class CapabilitiesRestrictedCheck
{
    public static PodSecurityCheck Definition { get; } = new("capabilities_restricted", PodSecurityLevel.Restricted,
        Relaxations.LinuxOnlyFromV125(22, Check, [CapabilitiesBaselineCheck.Id]));

    private static bool AddsForbidden(CapabilitySettings? capabilities)
    {
        var added = capabilities?.Add ?? [];
        for (var i = 0; i < added.Count; i++)
        {
            if (IsForbiddenAdd(added[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsForbiddenAdd(string capability) => capability != "NET_BIND_SERVICE";

    private static CheckFailure? Check(PodSecurityInput pod)
    {
        var missingDropAll = Setters.Containers(pod, static c => c.Security.Capabilities?.Drop.Contains("ALL") != true);
        var addingForbidden = Setters.Containers(pod, static c => AddsForbidden(c.Security.Capabilities));
        if (missingDropAll is null && addingForbidden is null)
        {
            return null;
        }

        var details = new List<string>(2);
        if (missingDropAll is not null)
        {
            details.Add($"{CheckText.Containers(missingDropAll)} must set securityContext.capabilities.drop=[\"ALL\"]");
        }

        if (addingForbidden is not null)
        {
            var added = CheckText.SortedSet(pod.Containers.SelectMany(c => c.Security.Capabilities?.Add ?? []).Where(IsForbiddenAdd));
            details.Add($"{CheckText.Containers(addingForbidden)} must not include {CheckText.JoinQuote(added)} in securityContext.capabilities.add");
        }

        return new CheckFailure("unrestricted capabilities", string.Join("; ", details));
    }
}
