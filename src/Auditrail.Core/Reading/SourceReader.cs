using System.Text.Json;
using Auditrail.Core.Model;

namespace Auditrail.Core.Reading;

/// <summary>
/// Reads one stream: finds each top-level JSON value, streams through large containers element by
/// element, and hands every complete record to the <see cref="RecordDecoder"/>.
/// </summary>
/// <remarks>
/// The common case, one Event per line, takes a fast path: the line is found with a vectorized search
/// and parsed once. Anything else (pretty-printed documents, EventLists, exports holding thousands of
/// records, events larger than the limit) goes through the framer, which tokenizes across buffer
/// refills and keeps at most one record (up to the size limit) in memory.
/// </remarks>
internal sealed class SourceReader
{
    private const int ProgressIntervalBytes = 16 << 20;

    private readonly StreamBuffer _in;
    private readonly IRecordSink _decoder;
    private readonly bool _defersLines;
    private readonly AuditReaderOptions _options;
    private readonly string _source;
    private readonly Func<long>? _rawPosition;
    private readonly long _rawLength;
    private long _nextProgress = ProgressIntervalBytes;

    /// <summary>After a rewind, the offset of the line that must be read one record at a time (no deferring).</summary>
    private long _exactAt = -1;

    public SourceReader(Stream stream, string source, AuditReaderOptions options, IRecordSink sink, Func<long>? rawPosition, long rawLength)
    {
        _in = new StreamBuffer(stream, options.BufferBytes, options.MaxEventBytes + options.BufferBytes, sink.Retention);
        _source = source;
        _options = options;
        _decoder = sink;
        _defersLines = sink.DefersLines;
        _rawPosition = rawPosition;
        _rawLength = rawLength;
    }

    private enum Status
    {
        Ok,
        Malformed,
        Truncated,
    }

    private readonly record struct Frame(Status Status, int Start, int Length, long Size, string? Error = null, long ErrorOffset = 0);

    /// <summary>Reads the whole stream. Returns the number of decompressed bytes read.</summary>
    public long Run(bool fromDirectory, CancellationToken cancellationToken)
    {
        try
        {
            _in.Fill(0);
            SkipByteOrderMark();
            var sawValue = false;
            while (true)
            {
                try
                {
                    ReadValues(fromDirectory, ref sawValue, cancellationToken);
                    _decoder.EndSource();
                    return _in.BytesRead;
                }
                catch (ReaderRewindException rewind)
                {
                    Rewind(rewind.Offset, rewind.Window);
                }
            }
        }
        finally
        {
            _in.Dispose();
        }
    }

    /// <summary>
    /// Goes back to a line a worker found to be the start of a longer value, to read it again as the
    /// sequential read does. The sink kept the bytes from there on buffered (<see cref="IRetention"/>).
    /// </summary>
    private void Rewind(long offset, in BufferWindow window)
    {
        _in.Restore(window);
        _in.Pos = checked((int)(offset - _in.AbsoluteOffset(0)));
        _exactAt = offset;
    }

    /// <summary>The top-level loop over the values of the source.</summary>
    private void ReadValues(bool fromDirectory, ref bool sawValue, CancellationToken cancellationToken)
    {
        while (EnsureData())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_defersLines && _decoder.TryTakeRewind(out var rewindTo, out var window))
            {
                Rewind(rewindTo, window);
                continue;
            }

            var b = _in.Buffer[_in.Pos];
            if (IsWhitespace(b))
            {
                _in.Pos++;
                continue;
            }

            if (b is (byte)'{' or (byte)'[')
            {
                sawValue = true;
                ReadTopLevelValue();
            }
            else if (TrySkipTimestampPrefix())
            {
                sawValue = true;
                ReadTopLevelValue();
            }
            else if (!sawValue && !LaterLinesStartRecords())
            {
                ReportNotJson(b, fromDirectory);
                return;
            }
            else
            {
                var at = _in.Pos;
                Report(DiagnosticSeverity.Error, DiagnosticCodes.MalformedJson, at, $"expected a JSON object or array, found {DescribeByte(b)}");
                Resync(at);
            }

            ReportProgress();
        }

        if (_in.ReadError is { } error)
        {
            Report(DiagnosticSeverity.Error, DiagnosticCodes.TruncatedInput, _in.End,
                $"the stream could not be read to its end ({error}); everything before this point was read");
        }

        ReportProgress(force: true);
    }

    private void ReadTopLevelValue()
    {
        var start = _in.Pos;
        var lineEnd = FindLineEnd(ref start);
        if (lineEnd >= 0)
        {
            var length = TrimEnd(start, lineEnd);
            var context = ContextAt(start, "$", -1, InputFormat.JsonLines, 0);
            if (_defersLines && EndsLikeAValue(start, length) && context.ByteOffset != _exactAt
                && _decoder.TrySubmitLine(_in.Buffer, start, length, in context, _in.Window))
            {
                _in.Pos = lineEnd;
                return;
            }

            if (_decoder.Decode(_in.Buffer, start, length, in context, reportMalformed: false) == DecodeOutcome.Handled)
            {
                _in.Pos = lineEnd;
                return;
            }

            if (!IsIncomplete(_in.Span(start, length), _options.MaxDepth))
            {
                // A complete line that is not valid JSON: report it and go on with the next line.
                _decoder.Submit(_in.Buffer, start, length, in context);
                _in.Pos = lineEnd;
                return;
            }
        }

        // The value spans lines (pretty-printed) or is longer than the fast path looks.
        _in.Pos = start;
        var startOffset = _in.AbsoluteOffset(start);
        var status = _in.Buffer[start] == (byte)'['
            ? StreamArray("$", InputFormat.JsonArray, 0, out var failure)
            : StreamTopLevelObject(out failure);
        if (status != Status.Ok)
        {
            ReportFailure(status, failure, startOffset);
        }
    }

    /// <summary>
    /// Lines that carry a timestamp before the JSON: CloudWatch Logs exports to S3
    /// (<c>2024-05-01T10:00:00.000Z {…}</c>) and container runtime logs of an apiserver writing its
    /// audit log to stdout (<c>2024-05-01T10:00:00.123456789Z stdout F {…}</c>). On such a line, moves
    /// to the <c>{</c>. A runtime's partial line (<c>P</c>) is left alone and reported as malformed,
    /// as joining split records is not supported.
    /// </summary>
    private bool TrySkipTimestampPrefix()
    {
        const int longestPrefix = 64;
        var start = _in.Pos;
        while (_in.End - start < longestPrefix && !_in.Eof && _in.Fill(start) is var shift and >= 0)
        {
            start -= shift;
        }

        _in.Pos = start;
        var window = _in.Span(start, Math.Min(longestPrefix, _in.End - start));
        var brace = window.IndexOf(" {"u8);
        if (brace < 20 || !IsTimestampPrefix(window[..brace]))
        {
            return false;
        }

        _in.Pos = start + brace + 1;
        return true;
    }

    /// <summary>
    /// Whether a file whose first line is not a record still is a log: some line in the first buffer
    /// starts a record. Then the first line is one bad record, not a sign the file is something else.
    /// </summary>
    private bool LaterLinesStartRecords()
    {
        var window = _in.Span(_in.Pos, _in.End - _in.Pos);
        for (var newline = window.IndexOf((byte)'\n'); newline >= 0 && newline + 1 < window.Length; newline = window.IndexOf((byte)'\n'))
        {
            window = window[(newline + 1)..];
            if (window[0] is (byte)'{' or (byte)'[')
            {
                return true;
            }

            var brace = window[..Math.Min(window.Length, 64)].IndexOf(" {"u8);
            if (brace > 0 && IsTimestampPrefix(window[..brace]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An RFC 3339 timestamp (<c>YYYY-MM-DDThh:mm:ss…</c>), optionally followed by <c>stdout F</c> or <c>stderr F</c>.</summary>
    private static bool IsTimestampPrefix(ReadOnlySpan<byte> prefix)
    {
        var space = prefix.IndexOf((byte)' ');
        var time = space < 0 ? prefix : prefix[..space];
        var shaped = time.Length >= 20
            && time[4] == (byte)'-' && time[7] == (byte)'-' && time[10] == (byte)'T' && time[13] == (byte)':'
            && !time[..4].ContainsAnyExceptInRange((byte)'0', (byte)'9');
        if (!shaped)
        {
            return false;
        }

        var rest = space < 0 ? [] : prefix[(space + 1)..];
        return rest.IsEmpty || rest.SequenceEqual("stdout F"u8) || rest.SequenceEqual("stderr F"u8);
    }

    /// <summary>Index of the newline ending the line that starts at <paramref name="start"/>, or -1 when the line is longer than one event may be.</summary>
    private int FindLineEnd(ref int start)
    {
        var searched = 0;
        while (true)
        {
            var newline = _in.Span(start + searched, _in.End - start - searched).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return start + searched + newline;
            }

            if (_in.Eof)
            {
                return _in.End;
            }

            if (_in.End - start > _options.MaxEventBytes)
            {
                return -1;
            }

            searched = _in.End - start;
            var shift = _in.Fill(start);
            if (shift < 0)
            {
                return -1;
            }

            start -= shift;
        }
    }

    private Status StreamTopLevelObject(out Frame failure)
    {
        var frame = FrameValue(keep: true, _options.MaxEventBytes);
        failure = frame;
        switch (frame.Status)
        {
            case Status.Ok when frame.Length >= 0:
                var context = ContextAt(frame.Start, "$", -1, InputFormat.SingleEvent, 0);
                _decoder.Submit(_in.Buffer, frame.Start, frame.Length, in context);
                return Status.Ok;
            case Status.Ok:
                // Larger than one event may be: either a container to stream, or an event to skip.
                _in.Pos = frame.Start;
                return StreamObject("$", 0, out failure);
            default:
                return frame.Status;
        }
    }

    /// <summary>
    /// Walks a large object member by member, streaming a container array (EventList items, AKS records,
    /// CloudWatch events) element by element and skipping other members without keeping them.
    /// </summary>
    private Status StreamObject(string path, int depth, out Frame failure)
    {
        failure = default;
        var objectStart = _in.Pos;
        var objectStartOffset = _in.AbsoluteOffset(objectStart);
        var objectLine = _in.LineAt(objectStart);
        _in.Pos++;
        var looksLikeEvent = false;
        var sawContainer = false;
        while (true)
        {
            if (!TryNextItem((byte)'}', out var closed))
            {
                return Truncated(out failure);
            }

            if (closed)
            {
                break;
            }

            var b = _in.Buffer[_in.Pos];
            if (b != (byte)'"' || !TryReadMemberName(out var name))
            {
                return Malformed($"expected a property name, found {DescribeByte(b)}", out failure);
            }

            if (!SkipWhitespace())
            {
                return Truncated(out failure);
            }

            var valueStart = _in.Buffer[_in.Pos];
            if (!sawContainer && valueStart == (byte)'[' && ContainerFormat(name) is { } format)
            {
                sawContainer = true;
                var status = StreamArray($"{path}.{name}", format, depth + 1, out failure);
                if (status != Status.Ok)
                {
                    return status;
                }

                continue;
            }

            looksLikeEvent |= name is "auditID" or "stage" or "verb" or "requestURI" or "requestObject";
            var skipped = SkipValue();
            if (skipped.Status != Status.Ok)
            {
                failure = skipped;
                return skipped.Status;
            }
        }

        if (!sawContainer)
        {
            var size = _in.AbsoluteOffset(_in.Pos) - objectStartOffset;
            var what = looksLikeEvent ? "event" : "record";
            _decoder.Report(DiagnosticSeverity.Error, DiagnosticCodes.EventTooLarge,
                new DecodeContext(_source, objectLine, objectStartOffset, path, -1, InputFormat.JsonLines), objectStartOffset,
                $"{what} of {size:N0} bytes exceeds the {_options.MaxEventBytes:N0}-byte limit; skipped without being read whole");
        }

        return Status.Ok;
    }

    /// <summary>Streams the elements of an array: each element is framed, then decoded from memory.</summary>
    private Status StreamArray(string path, InputFormat plainFormat, int depth, out Frame failure)
    {
        failure = default;
        _in.Pos++;
        var index = 0;
        while (true)
        {
            if (!TryNextItem((byte)']', out var closed))
            {
                return Truncated(out failure);
            }

            if (closed)
            {
                return Status.Ok;
            }

            var b = _in.Buffer[_in.Pos];
            var elementStart = _in.Pos;
            var elementLine = _in.LineAt(elementStart);
            var elementOffset = _in.AbsoluteOffset(elementStart);
            var elementColumn = ColumnOf(elementStart);
            var frame = b is (byte)'{' or (byte)'[' ? FrameValue(keep: true, _options.MaxEventBytes) : SkipValue();
            if (frame.Status == Status.Malformed && elementColumn >= 0)
            {
                // One broken element should not cost the rest of a large export: report it, then go on
                // from the next line that starts an element at the same indentation.
                var broken = new DecodeContext(_source, elementLine, elementOffset, path, index, plainFormat, depth);
                _decoder.Report(DiagnosticSeverity.Error, DiagnosticCodes.MalformedJson, in broken, frame.ErrorOffset,
                    $"malformed JSON: {frame.Error}; element skipped");
                if (!ResyncToElement(elementStart, elementColumn))
                {
                    return Status.Ok;
                }

                index++;
                continue;
            }

            if (frame.Status != Status.Ok)
            {
                failure = frame;
                return frame.Status;
            }

            var context = new DecodeContext(_source, elementLine, elementOffset, path, index, plainFormat, depth);
            if (b is not ((byte)'{' or (byte)'['))
            {
                _decoder.Report(DiagnosticSeverity.Error, DiagnosticCodes.NotAnAuditEvent, in context, elementOffset,
                    $"expected an object, found {DescribeByte(b)}; skipped");
            }
            else if (frame.Length >= 0)
            {
                _decoder.Submit(_in.Buffer, frame.Start, frame.Length, in context);
            }
            else if (b == (byte)'{' && depth < 2)
            {
                _in.Pos = frame.Start;
                var status = StreamObject(context.JsonPath, depth + 1, out failure);
                if (status != Status.Ok)
                {
                    return status;
                }
            }
            else
            {
                _in.Pos = frame.Start;
                var skipped = SkipValue();
                if (skipped.Status != Status.Ok)
                {
                    failure = skipped;
                    return skipped.Status;
                }

                _decoder.Report(DiagnosticSeverity.Error, DiagnosticCodes.EventTooLarge, in context, elementOffset,
                    $"value of {skipped.Size:N0} bytes exceeds the {_options.MaxEventBytes:N0}-byte limit; skipped without being read whole");
            }

            index++;
            ReportProgress();
        }
    }

    /// <summary>
    /// Finds the end of the JSON value at the current position, tokenizing across refills. With
    /// <paramref name="keep"/>, the value's bytes stay in the buffer and the frame gives them; when it
    /// grows past <paramref name="limit"/>, the frame's length is -1 and its bytes so far are still kept,
    /// so the caller can walk it member by member instead. Without keep, bytes are dropped as read.
    /// </summary>
    private Frame FrameValue(bool keep, long limit)
    {
        var start = _in.Pos;
        var startOffset = _in.AbsoluteOffset(start);
        var scan = start;
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = _options.MaxDepth });
        while (true)
        {
            var reader = new Utf8JsonReader(_in.Span(scan, _in.End - scan), isFinalBlock: false, state);
            try
            {
                while (reader.Read())
                {
                    if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.PropertyName))
                    {
                        var end = scan + (int)reader.BytesConsumed;
                        _in.Pos = end;
                        var size = _in.AbsoluteOffset(end) - startOffset;
                        return new Frame(Status.Ok, keep ? start : -1, keep ? end - start : -1, size);
                    }
                }
            }
            catch (JsonException ex)
            {
                _in.Pos = scan + (int)reader.BytesConsumed;
                return new Frame(Status.Malformed, keep ? start : -1, -1, 0, Parsing.AuditEventParser.CleanJsonMessage(ex), _in.AbsoluteOffset(_in.Pos));
            }

            scan += (int)reader.BytesConsumed;
            state = reader.CurrentState;
            if (keep && _in.AbsoluteOffset(scan) - startOffset > limit)
            {
                _in.Pos = start;
                return new Frame(Status.Ok, start, -1, _in.AbsoluteOffset(scan) - startOffset);
            }

            if (_in.Eof)
            {
                _in.Pos = _in.End;
                return new Frame(Status.Truncated, keep ? start : -1, -1, 0, null, startOffset);
            }

            _in.Pos = scan;
            var shift = _in.Fill(keep ? start : scan);
            if (shift < 0)
            {
                if (_in.Eof)
                {
                    continue;
                }

                // The kept bytes fill the largest buffer allowed: treat the value as over the limit.
                _in.Pos = start;
                return new Frame(Status.Ok, start, -1, _in.AbsoluteOffset(scan) - startOffset);
            }

            scan -= shift;
            if (keep)
            {
                start -= shift;
            }
        }
    }

    /// <summary>
    /// Moves past the JSON value at the current position without keeping it, in bounded memory even
    /// when one string in it is gigabytes long: a structural scan (brackets and string quotes only), as
    /// the bytes are discarded anyway. Utf8JsonReader cannot do this, as it needs a whole token buffered.
    /// </summary>
    private Frame SkipValue()
    {
        var startOffset = _in.AbsoluteOffset(_in.Pos);
        var depth = 0;
        var inString = false;
        var escaped = false;
        var scalar = _in.Buffer[_in.Pos] is not ((byte)'{' or (byte)'[' or (byte)'"');
        while (EnsureData())
        {
            var span = _in.Span(_in.Pos, _in.End - _in.Pos);
            for (var i = 0; i < span.Length; i++)
            {
                var b = span[i];
                if (inString)
                {
                    if (escaped)
                    {
                        escaped = false;
                    }
                    else if (b == (byte)'\\')
                    {
                        escaped = true;
                    }
                    else if (b == (byte)'"')
                    {
                        inString = false;
                        if (depth == 0)
                        {
                            return SkippedTo(i + 1, startOffset);
                        }
                    }
                    else
                    {
                        // Jump over the ordinary bytes of long strings with a vectorized search.
                        var next = span[i..].IndexOfAny((byte)'"', (byte)'\\');
                        i += next < 0 ? span.Length - i - 1 : next - 1;
                    }

                    continue;
                }

                if (scalar)
                {
                    if (b is (byte)',' or (byte)'}' or (byte)']' || IsWhitespace(b))
                    {
                        return SkippedTo(i, startOffset);
                    }

                    continue;
                }

                switch (b)
                {
                    case (byte)'"':
                        inString = true;
                        break;
                    case (byte)'{' or (byte)'[':
                        depth++;
                        break;
                    case (byte)'}' or (byte)']':
                        if (--depth == 0)
                        {
                            return SkippedTo(i + 1, startOffset);
                        }

                        break;
                }
            }

            _in.Pos = _in.End;
        }

        return new Frame(scalar ? Status.Ok : Status.Truncated, -1, -1, _in.AbsoluteOffset(_in.Pos) - startOffset, null, startOffset);
    }

    private Frame SkippedTo(int relativeEnd, long startOffset)
    {
        _in.Pos += relativeEnd;
        return new Frame(Status.Ok, -1, -1, _in.AbsoluteOffset(_in.Pos) - startOffset);
    }

    /// <summary>Reads a member name at the object level being streamed; names there are short ASCII in every format we know.</summary>
    private bool TryReadMemberName(out string name)
    {
        name = string.Empty;
        var frame = FrameValue(keep: true, 4096);
        if (frame.Status != Status.Ok || frame.Length < 2)
        {
            return false;
        }

        var quoted = _in.Span(frame.Start, frame.Length);
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        name = reader.GetString() ?? string.Empty;
        if (!SkipWhitespace() || _in.Buffer[_in.Pos] != (byte)':')
        {
            return false;
        }

        _in.Pos++;
        return true;
    }

    private static InputFormat? ContainerFormat(string memberName) => memberName switch
    {
        "items" => InputFormat.EventList,
        "records" => InputFormat.AksDiagnostics,
        "events" or "logEvents" => InputFormat.EksCloudWatch,
        _ => null,
    };

    /// <summary>
    /// Whether a line may be handed on unparsed: it ends as an object or array does. It may still be the
    /// start of a longer value (<c>{"a":{}</c>); a worker finds that out and the reader rewinds to it.
    /// </summary>
    private bool EndsLikeAValue(int start, int length) =>
        length > 0 && _in.Buffer[start + length - 1] is (byte)'}' or (byte)']';

    /// <summary>True when the bytes are the start of a JSON value that continues past them.</summary>
    internal static bool IsIncomplete(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth }));
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.PropertyName))
                {
                    return false;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void ReportFailure(Status status, Frame failure, long valueStartOffset)
    {
        if (status == Status.Truncated)
        {
            var valueStart = (int)Math.Clamp(valueStartOffset - _in.AbsoluteOffset(0), _in.WindowStart, _in.End);
            Report(DiagnosticSeverity.Error, DiagnosticCodes.TruncatedInput, valueStart,
                "the input ends inside this JSON value (truncated file?); the part before it was read", Math.Max(failure.ErrorOffset, 0));
            return;
        }

        // Malformed: report where it broke, then look for the next record at the start of a line after
        // the broken value's first line (the value's bytes are still buffered unless it was streamed).
        var at = (int)Math.Clamp(failure.ErrorOffset - _in.AbsoluteOffset(0), _in.WindowStart, _in.End);
        if (failure.Start >= 0)
        {
            valueStartOffset = _in.AbsoluteOffset(failure.Start);
        }

        var valueStillBuffered = valueStartOffset >= _in.AbsoluteOffset(_in.WindowStart);
        var reportAt = valueStillBuffered ? (int)(valueStartOffset - _in.AbsoluteOffset(0)) : at;
        var detected = _in.LineAt(at) != _in.LineAt(reportAt) ? $" (detected at line {_in.LineAt(at)})" : string.Empty;
        Report(DiagnosticSeverity.Error, DiagnosticCodes.MalformedJson, reportAt, $"malformed JSON: {failure.Error}{detected}", failure.ErrorOffset);
        Resync(valueStillBuffered ? reportAt : Math.Min(at, _in.Pos));
    }

    /// <summary>
    /// After broken input, skips to the next line that starts with <c>{</c> or <c>[</c>: in the
    /// log-backend format that is the next record, so one bad line costs one record.
    /// </summary>
    private void Resync(int from)
    {
        var firstLine = _in.LineAt(Math.Min(from, _in.End));
        _in.Pos = from;
        while (MoveToNextLine() && _in.Buffer[_in.Pos] is not ((byte)'{' or (byte)'['))
        {
        }

        var resumedLine = _in.LineAt(_in.Pos);
        if (resumedLine > firstLine + 1)
        {
            var end = _in.Pos < _in.End ? $"line {resumedLine}" : "the end of the input";
            Report(DiagnosticSeverity.Warning, DiagnosticCodes.SkippedBytes, _in.Pos,
                $"skipped lines {firstLine}–{resumedLine - 1} after the error, up to {end}");
        }
    }

    /// <summary>Column of a buffered byte (0-based), or -1 when its line starts before the buffer.</summary>
    private int ColumnOf(int index)
    {
        var window = _in.WindowStart;
        var lineStart = _in.Span(window, index - window).LastIndexOf((byte)'\n');
        if (lineStart < 0 && _in.AbsoluteOffset(window) > 0)
        {
            return -1;
        }

        return index - (window + lineStart) - 1;
    }

    /// <summary>Moves to the next line that holds only whitespace up to <paramref name="column"/> and then <c>{</c> or <c>[</c>.</summary>
    private bool ResyncToElement(int from, int column)
    {
        _in.Pos = from;
        while (MoveToNextLine())
        {
            // Make sure the indentation and the byte after it are buffered before looking at them.
            var lineStart = _in.Pos;
            while (_in.End - lineStart <= column && !_in.Eof && _in.Fill(lineStart) is var shift and >= 0)
            {
                lineStart -= shift;
            }

            _in.Pos = lineStart;
            if (_in.End - lineStart <= column)
            {
                return false;
            }

            if (!_in.Span(lineStart, column).ContainsAnyExcept(" \t"u8) && _in.Buffer[lineStart + column] is (byte)'{' or (byte)'[')
            {
                _in.Pos = lineStart + column;
                return true;
            }
        }

        return false;
    }

    /// <summary>Moves to the first byte of the next line; false when there is none.</summary>
    private bool MoveToNextLine()
    {
        while (true)
        {
            var newline = _in.Span(_in.Pos, _in.End - _in.Pos).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _in.Pos += newline + 1;
                return EnsureData();
            }

            _in.Pos = _in.End;
            if (!EnsureData())
            {
                return false;
            }
        }
    }

    private Status Malformed(string message, out Frame failure)
    {
        failure = new Frame(Status.Malformed, -1, -1, 0, message, _in.AbsoluteOffset(_in.Pos));
        return Status.Malformed;
    }

    private Status Truncated(out Frame failure)
    {
        failure = new Frame(Status.Truncated, -1, -1, 0, null, _in.AbsoluteOffset(_in.Pos));
        return Status.Truncated;
    }

    private DecodeContext ContextAt(int index, string path, int itemIndex, InputFormat format, int depth) =>
        new(_source, _in.LineAt(index), _in.AbsoluteOffset(index), path, itemIndex, format, depth);

    private void Report(DiagnosticSeverity severity, string code, int index, string message, long byteOffset = -1)
    {
        var context = ContextAt(index, "$", -1, InputFormat.JsonLines, 0);
        _decoder.Report(severity, code, in context, byteOffset >= 0 ? byteOffset : context.ByteOffset, message);
    }

    private void ReportNotJson(byte first, bool fromDirectory)
    {
        // Inside a directory, a README or build file next to the logs is expected; named explicitly, it is an error.
        var severity = fromDirectory ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
        Report(severity, DiagnosticCodes.NotJson, _in.Pos, $"not JSON (starts with {DescribeByte(first)}); file skipped");
    }

    private void ReportProgress(bool force = false)
    {
        var read = _rawPosition?.Invoke() ?? _in.BytesRead;
        if (!force && read < _nextProgress)
        {
            return;
        }

        _nextProgress = read + ProgressIntervalBytes;
        _decoder.Progress(_source, read, _rawLength);
    }

    private void SkipByteOrderMark()
    {
        while (_in.End < 3 && !_in.Eof)
        {
            _in.Fill(0);
        }

        if (_in.End >= 3 && _in.Buffer.AsSpan(0, 3).SequenceEqual("\uFEFF"u8))
        {
            _in.Pos = 3;
        }
    }

    /// <summary>
    /// Moves to the next member or element of the container being streamed, past whitespace and
    /// commas; <paramref name="closed"/> tells that the container's closing bracket was consumed
    /// instead. False at the end of the input.
    /// </summary>
    private bool TryNextItem(byte closing, out bool closed)
    {
        closed = false;
        while (SkipWhitespace())
        {
            var b = _in.Buffer[_in.Pos];
            if (b == (byte)',')
            {
                _in.Pos++;
                continue;
            }

            if (b == closing)
            {
                _in.Pos++;
                closed = true;
            }

            return true;
        }

        return false;
    }

    /// <summary>Moves past whitespace; false at the end of the input.</summary>
    private bool SkipWhitespace()
    {
        while (EnsureData())
        {
            if (!IsWhitespace(_in.Buffer[_in.Pos]))
            {
                return true;
            }

            _in.Pos++;
        }

        return false;
    }

    /// <summary>Makes sure at least one unread byte is buffered; false at the end of the input.</summary>
    private bool EnsureData()
    {
        while (_in.Pos >= _in.End)
        {
            if (_in.Fill(_in.Pos) < 0 || (_in.Eof && _in.Pos >= _in.End))
            {
                return false;
            }
        }

        return true;
    }

    private int TrimEnd(int start, int end)
    {
        while (end > start && IsWhitespace(_in.Buffer[end - 1]))
        {
            end--;
        }

        return end - start;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    private static string DescribeByte(byte b) =>
        b is >= 0x20 and < 0x7f ? $"'{(char)b}'" : $"byte 0x{b:x2}";
}
