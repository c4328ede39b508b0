using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Queries;
using Auditrail.Storage.Retention;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Storage.Tests.Retention;

public sealed class RetentionTests
{
    [Fact]
    public void Purging_by_age_removes_events_and_alerts_older_than_the_clock_allows()
    {
        var time = new ManualTime(Start.AddDays(10));
        using var store = new TempStore(time);
        store.Import(Enumerable.Range(0, 10).Select(day => Event($"d{day}", Start.AddDays(day), name: $"p{day}")));
        using (var writer = store.Store.OpenWriter())
        {
            writer.AppendAlert(new Alert { Rule = "old", Severity = Severity.Low, Time = Start.AddDays(1), Message = "old" });
            writer.AppendAlert(new Alert { Rule = "new", Severity = Severity.Low, Time = Start.AddDays(9), Message = "new" });
        }

        var result = store.Store.Purge(new RetentionPolicy { MaxAge = TimeSpan.FromDays(3) });

        // Now is day 10: events of days 7, 8 and 9 are younger than three days.
        Assert.Equal((7L, 1L), (result.EventsDeleted, result.AlertsDeleted));
        Assert.Equal(["d9", "d8", "d7"], store.Store.Who(new WhoQuery("pods"), new QueryWindow()).Select(r => r.AuditId));
        Assert.Equal("new", Assert.Single(store.Store.Alerts(new AlertQuery(), new QueryWindow())).Rule);
    }

    [Fact]
    public void Purging_by_size_drops_the_oldest_events_until_the_store_fits()
    {
        using var store = new TempStore();
        // Distinct, incompressible payloads so the data spans many blocks.
        var random = new Random(7);
        var lines = Enumerable.Range(0, 40_000).Select(i =>
        {
            // (GetItems over a zeroed array would pick only zeros: a payload every compressor removes.)
            var payload = new byte[48];
            random.NextBytes(payload);
            return Event($"s{i}", Start.AddSeconds(i), name: Convert.ToHexString(payload));
        });
        store.Import(lines, batchSize: 5_000);
        store.Store.Purge(new RetentionPolicy()); // nothing to purge: only checkpoints, so the blocks are counted
        var before = store.Store.GetInfo();
        var cap = before.UsedBytes * 6 / 10;

        var result = store.Store.Purge(new RetentionPolicy { MaxBytes = cap });

        var after = store.Store.GetInfo();
        Assert.True(after.UsedBytes <= cap, $"used {after.UsedBytes} bytes after the purge, cap {cap} (before {before.UsedBytes})");
        Assert.True(result.EventsDeleted > 0 && after.Events > 0);
        Assert.Equal(before.Events - result.EventsDeleted, after.Events);
        // What is left is the newest history, with nothing missing in between.
        Assert.Equal(before.Newest, after.Newest);
        var oldest = Assert.Single(store.Store.Sql("SELECT min(audit_id[2:]::INT), max(audit_id[2:]::INT), count(*) FROM events").Rows);
        Assert.Equal(39_999, Convert.ToInt32(oldest[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(40_000 - Convert.ToInt64(oldest[0], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(oldest[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_schedule_purges_on_its_timer_as_the_clock_moves()
    {
        var time = new ManualTime(Start.AddDays(1));
        using var store = new TempStore(time);
        store.Import([Event("old", Start), Event("new", Start.AddDays(1).AddHours(-1))]);
        var purges = new List<PurgeResult>();
        using var schedule = new RetentionSchedule(store.Store, new RetentionPolicy { MaxAge = TimeSpan.FromHours(12) }, TimeSpan.FromHours(1), time, purges.Add);

        Assert.Empty(purges);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1L, Assert.Single(purges).EventsDeleted);
        Assert.Equal(1, store.Store.GetInfo().Events);

        time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(13, purges.Count);
        Assert.Equal(0, store.Store.GetInfo().Events);
    }
}
