using Auditrail.Core.Model;

namespace Auditrail.Core.Reading;

/// <summary>Running totals of one read, by input format and diagnostic severity.</summary>
public sealed class ReadCounters
{
    private readonly long[] _byFormat = new long[Enum.GetValues<InputFormat>().Length];

    public long Events { get; private set; }
    public long Errors { get; private set; }
    public long Warnings { get; private set; }
    public long Infos { get; private set; }

    /// <summary>Records recognized as not being audit events (an AKS record of another category) and skipped.</summary>
    public long SkippedRecords { get; internal set; }

    /// <summary>Secret values removed from events by redaction.</summary>
    public long RedactedValues { get; internal set; }

    /// <summary>Sources (files, stdin) opened.</summary>
    public int Sources { get; internal set; }

    /// <summary>Decompressed bytes read from all sources.</summary>
    public long Bytes { get; internal set; }

    public long EventsIn(InputFormat format) => _byFormat[(int)format];

    public IEnumerable<KeyValuePair<InputFormat, long>> EventsByFormat =>
        Enum.GetValues<InputFormat>().Where(f => _byFormat[(int)f] > 0).Select(f => KeyValuePair.Create(f, _byFormat[(int)f]));

    /// <summary>Adds another read's totals to these (when sources were read apart and merged).</summary>
    internal void Add(ReadCounters other)
    {
        Events += other.Events;
        Errors += other.Errors;
        Warnings += other.Warnings;
        Infos += other.Infos;
        SkippedRecords += other.SkippedRecords;
        RedactedValues += other.RedactedValues;
        Sources += other.Sources;
        Bytes += other.Bytes;
        for (var i = 0; i < _byFormat.Length; i++)
        {
            _byFormat[i] += other._byFormat[i];
        }
    }

    internal void CountEvent(InputFormat format)
    {
        Events++;
        _byFormat[(int)format]++;
    }

    internal void CountDiagnostic(DiagnosticSeverity severity)
    {
        switch (severity)
        {
            case DiagnosticSeverity.Error:
                Errors++;
                break;
            case DiagnosticSeverity.Warning:
                Warnings++;
                break;
            default:
                Infos++;
                break;
        }
    }
}
