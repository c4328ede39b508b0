using System.Text;
using Auditrail.Detection.Sinks;
using Auditrail.Server.Ingest;
using Auditrail.Server.Pipeline;

namespace Auditrail.Server.Tests.Pipeline;

public sealed class PipelinePartsTests
{
    [Fact]
    public void A_batch_maps_each_buffer_line_back_to_its_record_and_ends_unterminated_payloads()
    {
        var batch = new WalBatch();
        batch.Add(Record(5, "a\nb\n"));
        batch.Add(Record(6, "c"));
        batch.Add(Record(7, ""));
        batch.Add(Record(8, "d\ne\nf\n"));

        Assert.Equal("a\nb\nc\nd\ne\nf\n", Encoding.UTF8.GetString(batch.Payload.Span));
        Assert.Equal([5L, 5, 6, 8, 8, 8], Enumerable.Range(1, 6).Select(line => batch.Records[batch.Locate(line)].Sequence));
        Assert.Equal(8, batch.LastSequence);
        // The hint only speeds up the search: a line before it is still found.
        Assert.Equal((3, 0), (batch.Locate(6, hint: 3), batch.Locate(2, hint: 3)));
        Assert.Equal((4L, 3L), (batch.Records[3].FirstLine, batch.Records[3].Lines));
    }

    [Fact]
    public void Delivery_advances_only_as_far_as_every_sink_has_settled_its_alerts()
    {
        var tracker = new DeliveryTracker(delivered: 2);
        tracker.Published(3, alerts: 2);
        tracker.Published(4, alerts: 0);
        tracker.Published(5, alerts: 1);

        Assert.False(tracker.Advance([Stats("a", sent: 1), Stats("b", sent: 3)]));
        Assert.Equal(2, tracker.Delivered);
        Assert.True(tracker.Advance([Stats("a", sent: 1, failed: 1), Stats("b", sent: 3)]));
        Assert.Equal(4, tracker.Delivered);
        Assert.True(tracker.Advance([Stats("a", sent: 1, failed: 1, dropped: 1), Stats("b", sent: 3)]));
        Assert.Equal(5, tracker.Delivered);

        var noSinks = new DeliveryTracker(0);
        noSinks.Published(9, alerts: 4);
        Assert.True(noSinks.Advance([]));
        Assert.Equal(9, noSinks.Delivered);
    }

    private static WalRecord Record(long sequence, string payload) =>
        new(sequence, "test", payload.Count(c => c == '\n'), DateTimeOffset.UnixEpoch, Encoding.UTF8.GetBytes(payload));

    private static SinkStatistics Stats(string sink, long sent = 0, long failed = 0, long dropped = 0) => new(sink, sent, failed, dropped, 0, 0, 0, 0);
}
