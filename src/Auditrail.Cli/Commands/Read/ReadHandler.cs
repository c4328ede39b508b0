using System.Buffers;
using System.Text;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Core.Writing;

namespace Auditrail.Cli.Commands.Read;

/// <summary>Prints events as they are read (or counts them for --stats) and reports diagnostics on stderr.</summary>
internal sealed class ReadHandler : IAuditEventHandler, IDisposable
{
    private readonly CliContext _context;
    private readonly OutputFormat _format;
    private readonly ReadStatistics? _statistics;
    private readonly int _maxPrintedDiagnostics;
    private readonly ArrayBufferWriter<byte> _json = new(4096);
    private readonly Utf8JsonWriter _jsonWriter;
    private readonly JsonToYaml? _yaml;
    private readonly StreamingTable? _table;
    private readonly ProgressLine? _progress;
    private int _printedDiagnostics;

    public ReadHandler(CliContext context, OutputFormat format, ReadStatistics? statistics, int maxPrintedDiagnostics, ProgressLine? progress = null)
    {
        _context = context;
        _progress = progress;
        _format = format;
        _statistics = statistics;
        _maxPrintedDiagnostics = maxPrintedDiagnostics;
        _jsonWriter = new Utf8JsonWriter(_json);
        if (statistics is null && format == OutputFormat.Yaml)
        {
            _yaml = new JsonToYaml(context.Out);
        }

        if (statistics is null && format == OutputFormat.Table)
        {
            _table = new StreamingTable(context.Out,
                ("TIME", 27), ("STAGE", 16), ("VERB", 8), ("USER", 40), ("CODE", 4), ("SOURCE IP", 15), ("OBJECT", 0));
        }
    }

    /// <summary>Sources that could not be used at all: missing, unreadable, or a named file that is not JSON.</summary>
    public int UnusableSources { get; private set; }

    public void OnSourceStart(string source)
    {
        _statistics?.SeeSource(source);
        _progress?.SourceStarted();
    }

    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        if (_progress is not null)
        {
            _progress.Events++;
        }

        if (_statistics is not null)
        {
            _statistics.Add(auditEvent, location.Source);
            return;
        }

        switch (_format)
        {
            case OutputFormat.Table:
                WriteRow(auditEvent);
                break;
            case OutputFormat.Yaml:
                using (var document = JsonDocument.Parse(Serialize(auditEvent)))
                {
                    _yaml!.WriteDocument(document.RootElement);
                }

                break;
            default:
                var json = Serialize(auditEvent).Span;
                if (_context.OutStream is { } stream)
                {
                    stream.Write(json);
                    stream.WriteByte((byte)'\n');
                }
                else
                {
                    _context.Out.WriteLine(Encoding.UTF8.GetString(json));
                }

                break;
        }
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic)
    {
        _statistics?.Add(diagnostic);
        if (diagnostic.Severity == DiagnosticSeverity.Error && diagnostic.Code is DiagnosticCodes.UnreadableSource or DiagnosticCodes.NotJson)
        {
            UnusableSources++;
        }

        // With --stats the diagnostics are part of the result on stdout; otherwise they go to stderr.
        if (_statistics is null && _printedDiagnostics < _maxPrintedDiagnostics)
        {
            ClearProgress();
            _context.Error.WriteLine(diagnostic.ToString());
            _printedDiagnostics++;
        }
    }

    public void OnProgress(string source, long bytesRead, long totalBytes) => _progress?.Report(bytesRead);

    public void Finish()
    {
        ClearProgress();
        _yaml?.Finish();
        _context.OutStream?.Flush();
        _context.Out.Flush();
    }

    /// <summary>One line on stderr when something went wrong, so a redirected stdout still shows the problem.</summary>
    public void WriteSummary(ReadCounters counters)
    {
        if (counters.Errors == 0 && counters.Warnings == 0)
        {
            return;
        }

        var hidden = _statistics is null ? counters.Errors + counters.Warnings + counters.Infos - _printedDiagnostics : 0;
        var more = hidden > 0 ? $" ({hidden:N0} more not shown; --max-diagnostics raises the limit)" : string.Empty;
        _context.Error.WriteLine($"read {counters.Events:N0} events from {counters.Sources:N0} sources; {counters.Errors:N0} errors, {counters.Warnings:N0} warnings{more}");
    }

    public void Dispose() => _jsonWriter.Dispose();

    private ReadOnlyMemory<byte> Serialize(AuditEvent auditEvent)
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
        AuditEventJsonWriter.Write(auditEvent, _jsonWriter);
        _jsonWriter.Flush();
        return _json.WrittenMemory;
    }

    private void WriteRow(AuditEvent e)
    {
        var time = e.Time is { } t ? AuditEventJsonWriter.FormatTime(t) : null;
        var user = FieldCatalog.EffectiveName(e) ?? "(unauthenticated)";
        if (e.HasImpersonation)
        {
            user = $"{e.UserName} as {user}";
        }

        _table!.WriteRow(time, e.Stage.ToWireName(), e.Verb, user,
            e.ResponseCode == 0 ? null : e.ResponseCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
            e.SourceIp, FieldCatalog.Target(e));
    }

    private void ClearProgress() => _progress?.Clear();
}
