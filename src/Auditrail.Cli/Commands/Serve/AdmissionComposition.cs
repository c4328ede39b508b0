using Auditrail.Admission.Review;
using Auditrail.Server.Configuration;

namespace Auditrail.Cli.Commands.Serve;

/// <summary>The reviewer the server runs, and what the operator should know about how it was built.</summary>
internal sealed record ComposedReviewer(IAdmissionReviewer Reviewer, IReadOnlyList<string> Warnings);

/// <summary>
/// The one place <c>auditrail serve</c> builds its <see cref="IAdmissionReviewer"/> from the
/// <c>admission:</c> settings: Pod Security Standards (defaults and exemptions) and the guardrails
/// in the configured directories are composed here, so the server itself knows nothing of the checks.
/// <para>
/// Until the Pod Security and guardrail checks are merged, this composes a reviewer that allows every
/// request and says so at start; the settings for them are already parsed and validated.
/// </para>
/// </summary>
internal static class AdmissionComposition
{
    public static ComposedReviewer Compose(AdmissionSettings settings)
    {
        var warnings = new List<string>
        {
            "no admission checks are composed yet: every review is allowed (Pod Security Standards and guardrails are wired in AdmissionComposition once merged)",
        };
        if (settings.GuardrailDirectories.Count > 0)
        {
            warnings.Add($"admission.guardrails ({string.Join(", ", settings.GuardrailDirectories)}) is not applied yet");
        }

        var modes = settings.PodSecurity.Defaults;
        if (new[] { modes.Enforce, modes.Audit, modes.Warn }.Any(mode => mode.Level != "privileged"))
        {
            warnings.Add("admission.podSecurity is not applied yet");
        }

        return new ComposedReviewer(new AllowAllReviewer(), warnings);
    }

    /// <summary>Allows everything and changes nothing: the reviewer with no checks.</summary>
    private sealed class AllowAllReviewer : IAdmissionReviewer
    {
        private static readonly AdmissionVerdict Allowed = new() { Allowed = true };

        public AdmissionVerdict Validate(AdmissionRequest request, CancellationToken cancellationToken) => Allowed;

        public AdmissionVerdict Mutate(AdmissionRequest request, CancellationToken cancellationToken) => Allowed;
    }
}
