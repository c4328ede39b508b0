namespace Auditrail.Server.Health;

/// <summary>
/// Something <c>/readyz</c> consults: a module registers one in its services when it cannot take traffic
/// yet (a queue still replaying, a rule pack still loading). Checks must answer fast and never block.
/// </summary>
public interface IReadinessCheck
{
    /// <summary>Short name shown in the readiness report.</summary>
    string Name { get; }

    /// <summary>Null when ready, otherwise why not.</summary>
    string? NotReadyReason();
}
