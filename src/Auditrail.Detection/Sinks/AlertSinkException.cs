namespace Auditrail.Detection.Sinks;

/// <summary>A delivery failure, with whether trying again may help and how long the receiver asked us to wait.</summary>
public sealed class AlertSinkException : Exception
{
    /// <summary>Creates a failure; <paramref name="isTransient"/> marks 5xx, 429 and timeouts, which are worth a retry.</summary>
    public AlertSinkException(string message, bool isTransient, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates a permanent failure.</summary>
    public AlertSinkException()
        : this("alert delivery failed", isTransient: false)
    {
    }

    /// <summary>Creates a permanent failure.</summary>
    public AlertSinkException(string message)
        : this(message, isTransient: false)
    {
    }

    /// <summary>Creates a permanent failure wrapping its cause.</summary>
    public AlertSinkException(string message, Exception innerException)
        : this(message, isTransient: false, retryAfter: null, innerException)
    {
    }

    /// <summary>Whether the same batch may succeed later (server overloaded or briefly down) rather than never (bad request, bad credentials).</summary>
    public bool IsTransient { get; }

    /// <summary>The receiver's <c>Retry-After</c>, when it sent one; honoured instead of the computed backoff when longer.</summary>
    public TimeSpan? RetryAfter { get; }
}
