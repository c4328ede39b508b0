using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Model;

/// <summary>A set of audit stages as bits, so a decision carries its omitted stages without a list.</summary>
public readonly record struct StageSet(byte Bits)
{
    public static StageSet Of(IEnumerable<AuditStage> stages) => new((byte)stages.Aggregate(0, (bits, stage) => bits | (1 << (int)stage)));

    public bool Contains(AuditStage stage) => (Bits & (1 << (int)stage)) != 0;

    public StageSet Union(StageSet other) => new((byte)(Bits | other.Bits));

    public IEnumerable<AuditStage> Stages => Enum.GetValues<AuditStage>().Where(Contains);

    public override string ToString() => string.Join(",", Stages.Select(s => s.ToWireName()));
}
