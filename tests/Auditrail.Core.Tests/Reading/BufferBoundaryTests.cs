using System.Text;
using Auditrail.Core.Reading;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Reading;

/// <summary>Records split at every possible place between reads give the same result as whole ones.</summary>
public class BufferBoundaryTests
{
    public static TheoryData<string, int> Inputs()
    {
        var lines = SampleEvents.Lines(6);
        var list = $$"""{"kind":"EventList","items":[{{SampleEvents.Event("x")}},{{SampleEvents.Event("y")}}]}""";
        var pretty = "[\n" + SampleEvents.Event("x").Replace(",\"", ",\n \"") + ",\n" + SampleEvents.Event("y") + "\n]\n";
        var data = new TheoryData<string, int>();
        foreach (var chunk in new[] { 1, 3, 7, 64, 1000 })
        {
            data.Add(lines, chunk);
            data.Add(list, chunk);
            data.Add(pretty, chunk);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Trickled_input_reads_like_whole_input(string text, int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var whole = CollectingHandler.ReadBytes(bytes);
        var trickled = new CollectingHandler();
        var options = new AuditReaderOptions { BufferBytes = 16 };

        new AuditLogReader(options).ReadStream(new TrickleStream(bytes, chunk), "trickle", trickled);

        Assert.Empty(trickled.Diagnostics);
        Assert.Equal(whole.Events.Select(e => e.AuditId), trickled.Events.Select(e => e.AuditId));
        Assert.Equal(whole.Locations.Select(l => (l.Line, l.ByteOffset, l.JsonPath)), trickled.Locations.Select(l => (l.Line, l.ByteOffset, l.JsonPath)));
        Assert.Equal(whole.Events.Select(e => e.Json.Length), trickled.Events.Select(e => e.Json.Length));
    }
}
