using DuckDB.NET.Data;

namespace Auditrail.Storage.Queries;

/// <summary>
/// Builds a WHERE clause whose values are always bound parameters ($1, $2, …), never spliced into the
/// SQL text: column names come from this assembly, values from the user.
/// </summary>
internal sealed class SqlFilter
{
    private readonly List<string> _conditions = [];
    private readonly List<object?> _values = [];

    public SqlFilter(QueryWindow window, string timeColumn = "time")
    {
        if (window.Since is { } since)
        {
            Add($"{timeColumn} >= ", since);
        }

        if (window.Until is { } until)
        {
            Add($"{timeColumn} < ", until);
        }

        if (window.Cluster is { } cluster)
        {
            Add("cluster = ", cluster);
        }
    }

    /// <summary>Adds <c>{left}$n</c> with the value bound as parameter n; <paramref name="left"/> ends with the operator.</summary>
    public SqlFilter Add(string left, object? value)
    {
        _values.Add(value);
        _conditions.Add($"{left}${_values.Count}");
        return this;
    }

    /// <summary>Adds <c>(a = $n OR b = $n …)</c>: one bound value that any of the columns may hold.</summary>
    public SqlFilter AddAnyEqual(string[] columns, object? value)
    {
        _values.Add(value);
        var placeholder = $"${_values.Count}";
        _conditions.Add("(" + string.Join(" OR ", columns.Select(c => $"{c} = {placeholder}")) + ")");
        return this;
    }

    /// <summary>Adds a condition with no user value in it.</summary>
    public SqlFilter AddLiteral(string condition)
    {
        _conditions.Add(condition);
        return this;
    }

    /// <summary>Binds one more value and returns its placeholder, for a LIMIT or a select list.</summary>
    public string Bind(object? value)
    {
        _values.Add(value);
        return $"${_values.Count}";
    }

    public string Where => _conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", _conditions);

    public DuckDBCommand CreateCommand(DuckDBConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in _values)
        {
            command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        }

        return command;
    }
}
