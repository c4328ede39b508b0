using Auditrail.Storage.Queries;
using Auditrail.Storage.Retention;
using Auditrail.Storage.Writing;

namespace Auditrail.Storage;

/// <summary>
/// Where redacted audit events and alerts are kept, and the questions asked of them. Each query is a
/// method with a typed result that the CLI prints and a REST endpoint can serialize as is.
/// </summary>
public interface IEventStore : IDisposable
{
    /// <summary>The single writer; a second one while the first is open is refused.</summary>
    EventWriter OpenWriter(int batchSize = EventWriter.DefaultBatchSize);

    /// <summary>Who touched a resource (and, unless a subresource is named, its subresources), when, from where, with what result; newest first.</summary>
    IReadOnlyList<EventSummary> Who(WhoQuery query, QueryWindow window);

    /// <summary>Mutating requests (create, update, patch, delete, deletecollection), grouped by identity, busiest first.</summary>
    IReadOnlyList<IdentityChanges> Changes(QueryWindow window);

    /// <summary>Unauthenticated (401), forbidden (403) and authorization-denied requests, grouped by identity and source IP.</summary>
    IReadOnlyList<DeniedGroup> Denied(QueryWindow window);

    /// <summary>One user's, service account's or address's requests; newest first.</summary>
    IReadOnlyList<EventSummary> Timeline(TimelineQuery query, QueryWindow window);

    IReadOnlyList<StoredAlert> Alerts(AlertQuery query, QueryWindow window);

    /// <summary>A read-only query (one SELECT or WITH statement); anything else throws <see cref="StoreException"/>.</summary>
    SqlResult Sql(string sql, int limit = QueryWindow.DefaultLimit);

    /// <summary>The stored (redacted) event JSON of a request, or null.</summary>
    string? GetEvent(string auditId);

    /// <summary>Stored event JSON (UTF-8) in event time order (oldest first), streamed: for replays such as backtests.</summary>
    IEnumerable<byte[]> ReadEventsInTimeOrder(QueryWindow window);

    PurgeResult Purge(RetentionPolicy policy);

    StoreInfo GetInfo();
}
