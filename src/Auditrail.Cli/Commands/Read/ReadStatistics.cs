using System.Text.Json;
using Auditrail.Core.Fields;
using Auditrail.Core.Identity;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Read;

/// <summary>Counts by source, input format, stage, verb, identity kind and response code, plus the bad records.</summary>
internal sealed class ReadStatistics(int maxListedDiagnostics)
{
    private readonly SortedDictionary<string, long> _bySource = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byStage = [];
    private readonly Dictionary<string, long> _byVerb = [];
    private readonly Dictionary<string, long> _byIdentityKind = [];
    private readonly Dictionary<string, long> _byResponseCode = [];
    private readonly List<ReadDiagnostic> _diagnostics = [];
    private long _unlistedDiagnostics;

    public void Add(AuditEvent e, string source)
    {
        Increment(_bySource, source);
        Increment(_byStage, e.Stage.ToWireName());
        Increment(_byVerb, e.Verb ?? "(none)");
        Increment(_byIdentityKind, FieldCatalog.Identify(e).Kind.ToWireName());
        Increment(_byResponseCode, e.ResponseCode == 0 ? "(none)" : e.ResponseCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Add(ReadDiagnostic diagnostic)
    {
        if (_diagnostics.Count < maxListedDiagnostics)
        {
            _diagnostics.Add(diagnostic);
        }
        else
        {
            _unlistedDiagnostics++;
        }
    }

    /// <summary>Notes a source even when it yields no events, so its count of 0 shows.</summary>
    public void SeeSource(string source) => _bySource.TryAdd(source, 0);

    public void WriteJson(Utf8JsonWriter w, ReadCounters counters)
    {
        w.WriteStartObject();
        w.WriteNumber("sources", counters.Sources);
        w.WriteNumber("bytes", counters.Bytes);
        w.WriteNumber("events", counters.Events);
        w.WriteNumber("redactedValues", counters.RedactedValues);
        w.WriteNumber("skippedRecords", counters.SkippedRecords);
        WriteMap(w, "bySource", _bySource);
        WriteMap(w, "byFormat", counters.EventsByFormat.ToDictionary(p => p.Key.ToDisplayName(), p => p.Value));
        WriteMap(w, "byStage", _byStage);
        WriteMap(w, "byVerb", _byVerb);
        WriteMap(w, "byIdentityKind", _byIdentityKind);
        WriteMap(w, "byResponseCode", _byResponseCode);
        w.WriteStartObject("diagnostics");
        w.WriteNumber("errors", counters.Errors);
        w.WriteNumber("warnings", counters.Warnings);
        w.WriteNumber("infos", counters.Infos);
        w.WriteNumber("unlisted", _unlistedDiagnostics);
        w.WriteStartArray("items");
        foreach (var d in _diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
            w.WriteString("code", d.Code);
            w.WriteString("location", d.Location);
            w.WriteString("source", d.Source);
            w.WriteNumber("line", d.Line);
            w.WriteNumber("byteOffset", d.ByteOffset);
            if (d.JsonPath is not null)
            {
                w.WriteString("jsonPath", d.JsonPath);
            }

            w.WriteString("message", d.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public void WriteTables(IAnsiConsole console, ReadCounters counters)
    {
        var summary = new Table().Title("Summary").AddColumns("", "value");
        summary.AddRow("sources", counters.Sources.ToString("N0"));
        summary.AddRow("bytes", counters.Bytes.ToString("N0"));
        summary.AddRow("events", counters.Events.ToString("N0"));
        summary.AddRow("redacted values", counters.RedactedValues.ToString("N0"));
        summary.AddRow("skipped records", counters.SkippedRecords.ToString("N0"));
        summary.AddRow("errors", counters.Errors.ToString("N0"));
        summary.AddRow("warnings", counters.Warnings.ToString("N0"));
        console.Write(summary);

        WriteCountTable(console, "Events by source", "source", _bySource, sortByCount: false);
        WriteCountTable(console, "Events by input format", "format", counters.EventsByFormat.ToDictionary(p => p.Key.ToDisplayName(), p => p.Value));
        WriteCountTable(console, "Events by stage", "stage", _byStage);
        WriteCountTable(console, "Events by verb", "verb", _byVerb);
        WriteCountTable(console, "Events by identity kind", "kind", _byIdentityKind);
        WriteCountTable(console, "Events by response code", "code", _byResponseCode);

        if (_diagnostics.Count > 0)
        {
            var bad = new Table().Title("Bad records and notes").AddColumns("severity", "code", "location", "message");
            foreach (var d in _diagnostics)
            {
                bad.AddRow(Markup.Escape(d.Severity.ToString().ToLowerInvariant()), d.Code, Markup.Escape(d.Location), Markup.Escape(d.Message));
            }

            console.Write(bad);
            if (_unlistedDiagnostics > 0)
            {
                console.WriteLine($"… and {_unlistedDiagnostics:N0} more (raise --max-diagnostics to list them)");
            }
        }
    }

    private static void WriteCountTable(IAnsiConsole console, string title, string key, IEnumerable<KeyValuePair<string, long>> counts, bool sortByCount = true)
    {
        var rows = sortByCount ? counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal) : counts;
        var table = new Table().Title(title).AddColumn(key).AddColumn(new TableColumn("events").RightAligned());
        foreach (var (name, count) in rows)
        {
            table.AddRow(Markup.Escape(name), count.ToString("N0"));
        }

        console.Write(table);
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, long>> counts)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(key, value);
        }

        w.WriteEndObject();
    }

    private static void Increment(IDictionary<string, long> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
}
