namespace Auditrail.Storage.Tests;

public sealed class StoreOptionsTests
{
    [Fact]
    public void The_memory_limit_and_threads_reach_duckdb()
    {
        var directory = Directory.CreateTempSubdirectory("auditrail-options-").FullName;
        try
        {
            var path = Path.Combine(directory, "audit.duckdb");
            using var store = DuckDbEventStore.Open(new StoreOptions(path) { MemoryLimitBytes = 300L << 20, Threads = 1 });

            var row = Assert.Single(store.Sql("SELECT current_setting('memory_limit'), current_setting('threads')").Rows);

            Assert.Equal(("300.0 MiB", "1"), (Convert.ToString(row[0], System.Globalization.CultureInfo.InvariantCulture), Convert.ToString(row[1], System.Globalization.CultureInfo.InvariantCulture)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_memory_limit_under_a_mebibyte_or_no_threads_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DuckDbEventStore.Open(new StoreOptions("unused.duckdb") { MemoryLimitBytes = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DuckDbEventStore.Open(new StoreOptions("unused.duckdb") { Threads = 0 }));
    }
}
