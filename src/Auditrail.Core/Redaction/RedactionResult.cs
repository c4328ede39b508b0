namespace Auditrail.Core.Redaction;

/// <summary>What <see cref="EventRedactor.Redact"/> removed: where, never what.</summary>
/// <remarks>
/// <see cref="Paths"/> holds one entry per replaced value in Kubernetes field-path style
/// (<c>responseObject.items[0].data[password]</c>); a string that lost several Bearer tokens appears once per token.
/// The default value means "could not be parsed", so a forgotten initialisation never reads as "nothing to hide".
/// </remarks>
public readonly record struct RedactionResult
{
    private readonly IReadOnlyList<string>? _paths;

    internal RedactionResult(IReadOnlyList<string> paths)
    {
        Parsed = true;
        _paths = paths;
    }

    /// <summary>An input that is not a JSON object; nothing was written for it.</summary>
    public static RedactionResult Unparsable => default;

    /// <summary>False when the input was not a JSON object (malformed, too deep, invalid UTF-8).</summary>
    public bool Parsed { get; }

    /// <summary>The number of values replaced.</summary>
    public int Count => Paths.Count;

    public IReadOnlyList<string> Paths => _paths ?? [];
}
