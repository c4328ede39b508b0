using System.Text;
using Auditrail.Core.Reading;
using Auditrail.Core.Redaction;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Reading;

/// <summary>The reader hands out redacted events by default, and withholds what it cannot check.</summary>
public class RedactionInReaderTests
{
    private static readonly string Fixture = TestData.Path("redaction", "secret-events.jsonl");

    [Fact]
    public void Events_read_from_the_fixture_carry_no_secret_value()
    {
        var secrets = SecretValuesIn(File.ReadAllText(Fixture)).Distinct().ToList();
        Assert.NotEmpty(secrets);

        var handler = new CollectingHandler();
        var counters = new AuditLogReader().ReadPaths([Fixture], handler);

        Assert.Equal(17, handler.Events.Count);
        Assert.True(counters.RedactedValues >= 41, $"redacted {counters.RedactedValues}");
        foreach (var e in handler.Events)
        {
            var json = Encoding.UTF8.GetString(e.Json.Span);
            Assert.All(secrets, s => Assert.DoesNotContain(s, json));
        }
    }

    [Fact]
    public void Turning_redaction_off_shows_the_values_so_the_test_above_can_fail()
    {
        var handler = new CollectingHandler();
        new AuditLogReader(new AuditReaderOptions { Redact = false }).ReadPaths([Fixture], handler);

        var all = string.Concat(handler.Events.Select(e => Encoding.UTF8.GetString(e.Json.Span)));
        Assert.Contains(SecretValuesIn(File.ReadAllText(Fixture)), all.Contains);
        Assert.DoesNotContain(EventRedactor.Placeholder, all);
    }

    [Fact]
    public void A_secret_event_that_cannot_be_checked_is_withheld()
    {
        var bad = SampleEvents.Event("lone").Replace("\"authorization.k8s.io/reason\":\"\"", "\"note\":\"Bearer \\ud800x\"");

        var handler = CollectingHandler.ReadText(bad + "\n" + SampleEvents.Event("ok") + "\n");

        Assert.Equal(["ok"], handler.Events.Select(e => e.AuditId));
        Assert.Equal(DiagnosticCodes.Unredactable, Assert.Single(handler.Errors).Code);
    }

    /// <summary>
    /// Values of data/stringData in objects of kind Secret, found by a plain JSON walk independent of
    /// the redactor (its own tests cover patches, lists without kinds and tokens).
    /// </summary>
    private static List<string> SecretValuesIn(string jsonLines)
    {
        var values = new List<string>();
        foreach (var line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Walk(System.Text.Json.Nodes.JsonNode.Parse(line), values);
        }

        return values;
    }

    private static void Walk(System.Text.Json.Nodes.JsonNode? node, List<string> values)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject obj:
                var isSecret = obj["kind"] is System.Text.Json.Nodes.JsonValue kind && kind.ToString() == "Secret";
                foreach (var (name, child) in obj)
                {
                    if (isSecret && name is "data" or "stringData" && child is System.Text.Json.Nodes.JsonObject map)
                    {
                        values.AddRange(map.Select(p => p.Value?.ToString()).OfType<string>().Where(v => v.Length >= 6));
                    }

                    Walk(child, values);
                }

                break;
            case System.Text.Json.Nodes.JsonArray array:
                foreach (var item in array)
                {
                    Walk(item, values);
                }

                break;
        }
    }
}
