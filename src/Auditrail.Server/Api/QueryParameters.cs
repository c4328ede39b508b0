using System.Globalization;
using Auditrail.Server.Configuration;
using Auditrail.Storage.Queries;
using Microsoft.AspNetCore.Http;

namespace Auditrail.Server.Api;

/// <summary>
/// The query string of one <c>/api/v1</c> request, read against the parameters its endpoint takes. An
/// unknown or repeated parameter is refused rather than ignored: a misspelt <c>namespce=prod</c> would
/// otherwise widen the answer to every namespace without anyone noticing.
/// </summary>
internal sealed class QueryParameters
{
    /// <summary>The row cap a caller may ask for: far above a screenful, low enough that one request cannot make the server build a huge response.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>The window parameters every listing endpoint takes.</summary>
    public static readonly string[] WindowNames = ["since", "until", "cluster", "limit"];

    private readonly IQueryCollection _query;

    private QueryParameters(IQueryCollection query) => _query = query;

    /// <summary>Checks that <paramref name="query"/> holds only <paramref name="allowed"/> names, each at most once.</summary>
    public static QueryParameters Read(IQueryCollection query, IReadOnlyCollection<string> allowed)
    {
        foreach (var (name, values) in query)
        {
            if (!allowed.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new BadParameterException(name, allowed.Count == 0
                    ? "this endpoint takes no query parameters"
                    : $"unknown parameter (this endpoint takes {string.Join(", ", allowed)})");
            }

            if (values.Count > 1)
            {
                throw new BadParameterException(name, "given more than once");
            }
        }

        return new QueryParameters(query);
    }

    /// <summary>The parameter's value; null when absent. An empty value is refused: <c>name=</c> is a caller's mistake, not a filter.</summary>
    public string? Optional(string name)
    {
        if (!_query.TryGetValue(name, out var values))
        {
            return null;
        }

        var value = values.ToString();
        return string.IsNullOrWhiteSpace(value) ? throw new BadParameterException(name, "is empty") : value;
    }

    public string Required(string name) => Optional(name) ?? throw new BadParameterException(name, "is required");

    /// <summary>since, until, cluster and limit; a relative time (<c>1h</c>, <c>30m</c>, <c>7d</c>) counts back from <paramref name="now"/>.</summary>
    public QueryWindow Window(DateTimeOffset now)
    {
        var since = Time("since", now);
        var until = Time("until", now);
        if (since is { } from && until is { } to && from >= to)
        {
            throw new BadParameterException("until", $"must be after since ({Format(from)} is not before {Format(to)})");
        }

        return new QueryWindow { Since = since, Until = until, Cluster = Optional("cluster"), Limit = Limit() };
    }

    /// <summary>limit: 1 to <see cref="MaxLimit"/>, <see cref="QueryWindow.DefaultLimit"/> when absent.</summary>
    public int Limit()
    {
        if (Optional("limit") is not { } text)
        {
            return QueryWindow.DefaultLimit;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit
            ? limit
            : throw new BadParameterException("limit", $"'{text}' is not a whole number from 1 to {MaxLimit.ToString("N0", CultureInfo.InvariantCulture)}");
    }

    private DateTimeOffset? Time(string name, DateTimeOffset now)
    {
        if (Optional(name) is not { } text)
        {
            return null;
        }

        // An age: the configuration's durations (90s, 1h30m, 7d), counted back from now.
        if (ConfigValues.TryParseDuration(text, out var age))
        {
            return now - age;
        }

        // Timestamps need a date and a time: DateTimeOffset.TryParse alone would take "12" or "May" as a time.
        if (text.Contains('T', StringComparison.OrdinalIgnoreCase)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw new BadParameterException(name, $"'{text}' is neither an RFC 3339 time (2026-03-01T09:00:00Z) nor an age such as 90s, 30m, 1h or 7d");
    }

    private static string Format(DateTimeOffset time) => Core.Writing.AuditEventJsonWriter.FormatTime(time);
}

/// <summary>A query parameter the endpoint cannot use: answered 400 with the parameter's name and why.</summary>
internal sealed class BadParameterException(string parameter, string reason) : Exception($"{parameter}: {reason}")
{
    public string Parameter { get; } = parameter;

    public string Reason { get; } = reason;
}
