using Auditrail.Detection.Engine;

namespace Auditrail.Detection.Sinks;

/// <summary>A place alerts leave Auditrail for: a stream, a file, an HTTP endpoint.</summary>
public interface IAlertSink
{
    /// <summary>Names the sink in counters and diagnostics; unique within one dispatcher.</summary>
    string Name { get; }

    /// <summary>
    /// Delivers one batch. Throws <see cref="AlertSinkException"/> (or the transport's own exception) on failure;
    /// the dispatcher decides from <see cref="AlertSinkException.IsTransient"/> whether to retry.
    /// </summary>
    ValueTask SendAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken);
}
