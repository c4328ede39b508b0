using Auditrail.Storage.Queries;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Storage.Tests.Queries;

public sealed class ReadOnlySqlTests : IDisposable
{
    private readonly TempStore _store = new();

    public ReadOnlySqlTests() => _store.Import([Event("a", Start), Event("b", Start.AddSeconds(1), user: "bob")]);

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData("INSERT INTO events SELECT * FROM events")]
    [InlineData("DROP TABLE events")]
    [InlineData("DELETE FROM events")]
    [InlineData("UPDATE events SET username = 'x'")]
    [InlineData("ATTACH '/tmp/other.duckdb' AS other")]
    [InlineData("COPY events TO '/tmp/out.csv'")]
    [InlineData("PRAGMA database_size")]
    [InlineData("INSTALL httpfs")]
    [InlineData("LOAD httpfs")]
    [InlineData("SET enable_external_access = true")]
    [InlineData("CREATE TABLE x AS SELECT 1")]
    [InlineData("SELECT 1; DROP TABLE events")]
    [InlineData("SELECT 1; /* hidden */ DELETE FROM events;")]
    [InlineData("  -- comment only\n")]
    [InlineData("SELECT 'unterminated")]
    public void Statements_other_than_one_query_are_refused_with_a_reason(string sql)
    {
        var error = Assert.Throws<StoreException>(() => _store.Store.Sql(sql));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal(2, _store.Store.GetInfo().Events);
    }

    [Theory]
    [InlineData("SELECT 1) AS q; DROP TABLE events; SELECT (1")]
    [InlineData("WITH x AS (SELECT 1) DELETE FROM events")]
    public void Attempts_to_break_out_of_the_subquery_fail_and_change_nothing(string sql)
    {
        Assert.Throws<StoreException>(() => _store.Store.Sql(sql));
        Assert.Equal(2, _store.Store.GetInfo().Events);
    }

    [Fact]
    public void Reading_files_outside_the_store_is_refused()
    {
        var error = Assert.Throws<StoreException>(() => _store.Store.Sql("SELECT * FROM read_csv('/etc/passwd')"));
        Assert.Contains("failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Queries_run_with_their_semicolons_comments_and_strings_intact()
    {
        var result = _store.Store.Sql("""
            -- who did what
            WITH u AS (SELECT username, count(*) AS n FROM events WHERE username <> ';' GROUP BY username)
            SELECT username, n FROM u ORDER BY username; -- trailing comment
            """);
        Assert.Equal(["username", "n"], result.Columns);
        Assert.Equal(["alice", "bob"], result.Rows.Select(r => r[0]));
        Assert.False(result.Truncated);
    }

    [Fact]
    public void Results_over_the_limit_are_cut_and_flagged()
    {
        var result = _store.Store.Sql("SELECT * FROM range(10)", limit: 3);
        Assert.Equal(3, result.Rows.Count);
        Assert.True(result.Truncated);
    }

    [Fact]
    public void A_read_only_store_answers_queries()
    {
        _store.Reopen(readOnly: true);
        Assert.Equal(2L, Convert.ToInt64(_store.Store.Sql("SELECT count(*) FROM events").Rows[0][0], System.Globalization.CultureInfo.InvariantCulture));
    }
}
