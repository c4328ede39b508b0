using System.Text.Json;

namespace Auditrail.Detection.Stateful;

/// <summary>What loading a baseline did, for the user to read.</summary>
public sealed record BaselineLoadReport(int Rules, int Keys, IReadOnlyList<string> Notes);

/// <summary>
/// Learned state on disk: per learning rule, its fingerprint and its keys, as JSON. A baseline survives
/// restarts and can be trained from old logs. Sections for rules not loaded now are carried over
/// unchanged, so disabling a rule for a day does not throw away what it learned.
/// </summary>
internal sealed class Baseline
{
    public const string Kind = "Baseline";

    private readonly Dictionary<string, string> _carried = new(StringComparer.Ordinal);

    public BaselineLoadReport Load(string path, IReadOnlyList<StatefulDetector> detectors)
    {
        var notes = new List<string>();
        if (!File.Exists(path))
        {
            notes.Add($"{path}: no baseline yet; it will be written after this run");
            return new BaselineLoadReport(0, 0, notes);
        }

        using var stream = File.OpenRead(path);
        using var document = ParseDocument(stream, path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != Kind
            || !root.TryGetProperty("rules", out var rules) || rules.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: not an Auditrail baseline (expected an object with kind: {Kind} and a rules array)");
        }

        var byName = detectors.Where(d => d is ILearningDetector).ToDictionary(d => d.Rule.Definition.Name, StringComparer.Ordinal);
        var (ruleCount, keyCount, index) = (0, 0, 0);
        foreach (var section in rules.EnumerateArray())
        {
            var where = $"{path}: $.rules[{index++}]";
            if (section.ValueKind != JsonValueKind.Object || !section.TryGetProperty("rule", out var nameElement) || nameElement.GetString() is not { } name
                || !section.TryGetProperty("fingerprint", out var fingerprint) || !section.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                notes.Add($"{where}: skipped: a rule section needs rule, fingerprint and a keys array");
                continue;
            }

            if (!byName.TryGetValue(name, out var detector))
            {
                _carried[name] = section.GetRawText();
                notes.Add($"{where}: rule '{name}' is not loaded; its baseline is kept as it is");
                continue;
            }

            var learner = (ILearningDetector)detector;
            if (fingerprint.GetString() != learner.Fingerprint)
            {
                notes.Add($"{where}: rule '{name}' now learns {learner.Fingerprint}, the baseline holds {fingerprint.GetString()}; learning starts over");
                continue;
            }

            try
            {
                if (section.TryGetProperty("seed", out var seed))
                {
                    learner.HashSeed = seed.GetInt64();
                }

                keyCount += learner.Load(keys);
                ruleCount++;
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                notes.Add($"{where}: rule '{name}': malformed key ({ex.Message}); the keys read before it are kept");
            }
        }

        return new BaselineLoadReport(ruleCount, keyCount, notes);
    }

    /// <summary>Writes beside the target and renames, so a crash mid-write never leaves a torn baseline.</summary>
    public void Save(string path, IReadOnlyList<StatefulDetector> detectors, DateTimeOffset now)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", Rules.RulePackLoader.ApiVersion);
            writer.WriteString("kind", Kind);
            writer.WriteString("savedAt", now);
            writer.WriteStartArray("rules");
            foreach (var detector in detectors)
            {
                if (detector is not ILearningDetector learner)
                {
                    continue;
                }

                writer.WriteStartObject();
                writer.WriteString("rule", detector.Rule.Definition.Name);
                writer.WriteString("fingerprint", learner.Fingerprint);
                writer.WriteNumber("seed", learner.HashSeed);

                writer.WritePropertyName("keys");
                learner.Save(writer, now);
                writer.WriteEndObject();
            }

            foreach (var section in _carried.Values)
            {
                writer.WriteRawValue(section, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static JsonDocument ParseDocument(Stream stream, string path)
    {
        try
        {
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: line {ex.LineNumber + 1}: not valid JSON: {ex.Message}", ex);
        }
    }
}

/// <summary>One rule's section of a baseline file, as <c>auditrail baseline show</c> prints it.</summary>
public sealed record BaselineSection(string Rule, string Fingerprint, int Keys, int TrainedKeys, long Values);

/// <summary>Reads a baseline file for display, without the rules that wrote it.</summary>
public static class BaselineFile
{
    /// <exception cref="InvalidDataException">The file is not a readable baseline.</exception>
    public static (DateTimeOffset? SavedAt, List<BaselineSection> Sections) Summarize(string path)
    {
        using var stream = File.OpenRead(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: line {ex.LineNumber + 1}: not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rules", out var rules) || rules.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{path}: not an Auditrail baseline (expected an object with a rules array)");
            }

            DateTimeOffset? savedAt = root.TryGetProperty("savedAt", out var saved) && saved.TryGetDateTimeOffset(out var at) ? at : null;
            var sections = new List<BaselineSection>();
            foreach (var section in rules.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("keys", out var k) && k.ValueKind == JsonValueKind.Array))
            {
                var keys = section.GetProperty("keys").EnumerateArray().Where(k => k.ValueKind == JsonValueKind.Object).ToList();
                sections.Add(new BaselineSection(
                    section.TryGetProperty("rule", out var rule) ? rule.GetString() ?? "?" : "?",
                    section.TryGetProperty("fingerprint", out var fingerprint) ? fingerprint.GetString() ?? "?" : "?",
                    keys.Count,
                    keys.Count(k => k.TryGetProperty("trained", out var trained) && trained.ValueKind == JsonValueKind.True),
                    keys.Sum(k => k.TryGetProperty("terms", out var terms) && terms.ValueKind == JsonValueKind.Object ? terms.EnumerateObject().LongCount() : 0)));
            }

            return (savedAt, sections);
        }
    }
}
