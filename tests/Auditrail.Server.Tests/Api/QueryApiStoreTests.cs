using System.Reflection;
using Auditrail.Server.Tests.Support;
using Auditrail.Storage;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Server.Tests.Api;

public sealed class QueryApiStoreTests
{
    [Fact]
    public async Task Readers_querying_while_the_writer_appends_see_only_whole_batches_and_finally_all()
    {
        const int BatchSize = 100;
        const int Batches = 20;
        await using var api = await ApiServer.StartAsync();
        var lines = Enumerable.Range(0, BatchSize * Batches).Select(i => Event($"req-{i:D5}", Start.AddSeconds(i), name: $"web-{i % 7}")).ToList();

        var writing = Task.Run(() => api.Store.Import(lines, BatchSize));
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var seen = new List<int>();
            // A generous bound only against a hang: the loop ends with the first read after the writer finished.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                var done = writing.IsCompleted;
                var response = await api.GetAsync("/api/v1/who?resource=pods&limit=10000");
                Assert.Equal(200, response.Status);
                seen.Add(response.Body.GetProperty("requests").GetArrayLength());
                if (done)
                {
                    break;
                }
            }

            return seen;
        })).ToList();

        var (stored, _, _) = await writing;
        Assert.Equal(BatchSize * Batches, stored.Inserted);
        foreach (var seen in await Task.WhenAll(readers))
        {
            Assert.All(seen, count => Assert.Equal(0, count % BatchSize));
            Assert.Equal(seen.Order(), seen);
            Assert.Equal(BatchSize * Batches, seen[^1]);
        }
    }

    [Fact]
    public async Task A_failing_store_is_500_without_its_details()
    {
        var failing = DispatchProxy.Create<IEventStore, FailingStore>();
        await using var api = await ApiServer.StartAsync(storeOverride: failing);

        var response = await api.GetAsync("/api/v1/who?resource=pods");

        Assert.Equal(500, response.Status);
        Assert.Equal("InternalError", response.Body.GetProperty("error").GetString());
        Assert.DoesNotContain("/var/lib/auditrail", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("at ", response.Text, StringComparison.Ordinal);
    }

    /// <summary>A store whose every call fails as an I/O error would, with a message the caller must not see.</summary>
    public class FailingStore : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new IOException("disk error reading /var/lib/auditrail/audit.duckdb");
    }
}
