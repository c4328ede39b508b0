using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Sources;

/// <summary>What file tailing logs: bad lines with <c>file:line</c>, rotation, truncation, back-pressure.</summary>
internal sealed partial class FileTailer
{
    [LoggerMessage(EventId = 7300, Level = LogLevel.Warning, Message = "{Path}:{Line}: skipped, not an audit event: {Reason}")]
    private static partial void LogBadLine(ILogger logger, string path, long line, string reason);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Warning, Message = "{Path}:{Line}: skipped, the line is longer than the {Limit}-byte limit")]
    private static partial void LogLineTooLong(ILogger logger, string path, long line, int limit);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "{Path} was truncated (read up to byte {Offset}, now {Length} bytes, or rewritten from its start); reading it again from the beginning")]
    private static partial void LogTruncated(ILogger logger, string path, long offset, long length);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Information, Message = "{Path} was rotated: the previous file is read to its end, then the new one")]
    private static partial void LogRotated(ILogger logger, string path);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Information, Message = "{From} is now {To}; reading on where it stood")]
    private static partial void LogRenamed(ILogger logger, string from, string to);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Information, Message = "tailing {Path} from byte {Offset} (line {Line})")]
    private static partial void LogTracking(ILogger logger, string path, long offset, long line);

    [LoggerMessage(EventId = 7306, Level = LogLevel.Information, Message = "done with {Path} after line {Line}: {Reason}")]
    private static partial void LogReleased(ILogger logger, string path, long line, string reason);

    [LoggerMessage(EventId = 7307, Level = LogLevel.Warning, Message = "the write-ahead queue is full ({Pending} of {Capacity} bytes); holding {Path} and retrying")]
    private static partial void LogWalFull(ILogger logger, string path, long pending, long capacity);

    [LoggerMessage(EventId = 7308, Level = LogLevel.Error, Message = "appending events from {Path} to the write-ahead queue failed; retrying")]
    private static partial void LogAppendFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 7309, Level = LogLevel.Information, Message = "appending events from {Path} succeeded after {Failures} failed attempts")]
    private static partial void LogAppendRecovered(ILogger logger, string path, int failures);

    [LoggerMessage(EventId = 7310, Level = LogLevel.Error, Message = "the tail checkpoint {Path} cannot be read ({Reason}); files are read from their start and the store drops what it already has")]
    private static partial void LogCheckpointUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7311, Level = LogLevel.Error, Message = "the tail checkpoint {Path} cannot be written ({Reason}); retrying at the next batch")]
    private static partial void LogCheckpointFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7312, Level = LogLevel.Warning, Message = "{Path} cannot be opened: {Reason}")]
    private static partial void LogOpenFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7313, Level = LogLevel.Information, Message = "{Path} is compressed and not read (compressed files: Skip); a file that was tailed was read before lumberjack compressed it")]
    private static partial void LogCompressedSkipped(ILogger logger, string path);

    [LoggerMessage(EventId = 7314, Level = LogLevel.Warning, Message = "{Path} (checkpointed at line {Line}) is gone; its position is forgotten")]
    private static partial void LogForgotten(ILogger logger, string path, long line);

    [LoggerMessage(EventId = 7316, Level = LogLevel.Warning, Message = "{Path} cannot be read: {Reason}; trying again at the next poll")]
    private static partial void LogReadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7315, Level = LogLevel.Error, Message = "a file-tail poll failed; retrying from the checkpointed state")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
