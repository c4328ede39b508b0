using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>Why a check forbade a pod: a short reason and the specifics (container names, values), as upstream words them.</summary>
internal readonly record struct CheckFailure(string Reason, string Detail);

/// <summary>One revision of a check: null when the pod passes.</summary>
internal delegate CheckFailure? CheckPod(PodSecurityInput pod);

/// <summary>
/// A revision of a check that applies from <paramref name="MinimumMinor"/> (v1.N) until the next
/// revision. <paramref name="Overrides"/> lists baseline check ids that this restricted revision
/// replaces at the restricted level (for example <c>capabilities_restricted</c> replaces
/// <c>capabilities_baseline</c> from v1.22, so a restricted pod is not judged twice on capabilities).
/// </summary>
internal sealed record VersionedCheck(int MinimumMinor, CheckPod Evaluate, IReadOnlyList<string>? Overrides = null);

/// <summary>A check: its upstream id, the level it belongs to and its revisions, oldest first.</summary>
internal sealed record PodSecurityCheck(string Id, PodSecurityLevel Level, IReadOnlyList<VersionedCheck> Versions);
