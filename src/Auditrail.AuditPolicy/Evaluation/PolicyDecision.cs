using Auditrail.AuditPolicy.Model;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// What a policy does with one request: the level of the first rule that matched (None when none did),
/// that rule's index (-1 for none), the stages it leaves out (the policy's and the rule's together) and
/// whether managedFields are stripped from the bodies.
/// </summary>
public readonly record struct PolicyDecision(AuditLevel Level, int RuleIndex, StageSet OmitStages, bool OmitManagedFields)
{
    public bool Matched => RuleIndex >= 0;

    /// <summary>True when the apiserver writes an event for this stage of the request.</summary>
    public bool Records(AuditStage stage) => Level != AuditLevel.None && !OmitStages.Contains(stage);
}
