using System.Text.Json;
using Auditrail.Detection.Rules;
using Auditrail.Server.Hosting;
using Auditrail.Server.Security;
using Auditrail.Storage;
using Auditrail.Storage.Queries;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Api;

/// <summary>
/// The event store's questions over HTTP, under <c>/api/v1</c>: <c>who</c>, <c>changes</c>, <c>denied</c>,
/// <c>timeline</c>, <c>alerts</c>, <c>events/{auditID}</c> (Read scope) and <c>POST sql</c> (Admin scope).
/// Each answers with the JSON that <c>auditrail query … -o json</c> prints (<see cref="QueryJson"/>), so a
/// script moves between the CLI and a live server unchanged. This is how a store that a server is writing
/// gets queried: DuckDB lets no other process open the file meanwhile.
/// </summary>
/// <remarks>
/// Failures answer JSON too (<see cref="ApiAnswers"/>): 401 with <c>WWW-Authenticate: Bearer</c> without a
/// known token, 403 when its scope is short, 400 naming the bad parameter and why, 404 for an unknown
/// auditID, 500 when the store fails, with the details in the server's log and never in the response.
/// The store's calls are synchronous (DuckDB); each runs on the request's thread, on a connection of its own.
/// </remarks>
public sealed class QueryApiModule(IEventStore store, AccessTokens tokens) : IServerModule
{
    /// <summary>The largest SQL text accepted: far more than any hand-written query, and a bound on what one request may make the server hold.</summary>
    public const int MaxSqlBytes = 64 * 1024;

    private const string Prefix = "/api/v1";

    public void ConfigureServices(IServiceCollection services)
    {
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Api");
        var time = endpoints.ServiceProvider.GetRequiredService<TimeProvider>();
        var answers = new ApiAnswers(tokens, logger);
        void Map(IEndpointRouteBuilder routes, string method, string path, AccessScope scope, IReadOnlyCollection<string> parameterNames, Func<HttpContext, QueryParameters, Task<ApiAnswer>> answer) =>
            routes.MapMethods($"{Prefix}/{path}", [method], context => answers.RunAsync(context, scope, parameterNames, answer));

        Map(endpoints, HttpMethods.Get, "who", AccessScope.Read, ["resource", "name", "namespace", "verb", .. QueryParameters.WindowNames], (_, parameters) =>
        {
            var query = new WhoQuery(parameters.Required("resource"))
            {
                Name = parameters.Optional("name"),
                Namespace = parameters.Optional("namespace"),
                Verb = parameters.Optional("verb"),
            };
            var rows = store.Who(query, parameters.Window(time.GetUtcNow()));
            return Answer(writer => QueryJson.WriteEvents(writer, "requests", rows));
        });

        Map(endpoints, HttpMethods.Get, "changes", AccessScope.Read, QueryParameters.WindowNames, (_, parameters) =>
        {
            var groups = store.Changes(parameters.Window(time.GetUtcNow()));
            return Answer(writer => QueryJson.WriteChanges(writer, groups));
        });

        Map(endpoints, HttpMethods.Get, "denied", AccessScope.Read, QueryParameters.WindowNames, (_, parameters) =>
        {
            var groups = store.Denied(parameters.Window(time.GetUtcNow()));
            return Answer(writer => QueryJson.WriteDenied(writer, groups));
        });

        Map(endpoints, HttpMethods.Get, "timeline", AccessScope.Read, ["user", "serviceaccount", "ip", .. QueryParameters.WindowNames], (_, parameters) =>
        {
            var rows = store.Timeline(ReadTimeline(parameters), parameters.Window(time.GetUtcNow()));
            return Answer(writer => QueryJson.WriteEvents(writer, "requests", rows));
        });

        Map(endpoints, HttpMethods.Get, "alerts", AccessScope.Read, ["rule", "severity", .. QueryParameters.WindowNames], (_, parameters) =>
        {
            var query = new AlertQuery { Rule = parameters.Optional("rule"), MinimumSeverity = ReadSeverity(parameters) };
            var alerts = store.Alerts(query, parameters.Window(time.GetUtcNow()));
            return Answer(writer => QueryJson.WriteAlerts(writer, alerts));
        });

        Map(endpoints, HttpMethods.Get, "events/{auditID}", AccessScope.Read, [], (context, _) =>
        {
            var auditId = (string)context.Request.RouteValues["auditID"]!;
            return Task.FromResult(store.GetEvent(auditId) is { } json
                ? new ApiAnswer(writer => writer.WriteRawValue(json, skipInputValidation: true))
                : ApiAnswer.NotFound($"no event with auditID {auditId}"));
        });

        Map(endpoints, HttpMethods.Post, "sql", AccessScope.Admin, ["limit"], async (context, parameters) =>
        {
            var limit = parameters.Limit();
            var sql = await SqlBody.ReadAsync(context.Request, MaxSqlBytes, context.RequestAborted).ConfigureAwait(false);
            try
            {
                var result = store.Sql(sql, limit);
                return ApiAnswer.Object(writer => QueryJson.WriteSql(writer, result));
            }
            catch (StoreException ex)
            {
                // Only here is a store error the caller's: the SQL did not validate or DuckDB refused it.
                throw new BadParameterException("sql", ex.Message);
            }
        });
    }

    private static Task<ApiAnswer> Answer(Action<Utf8JsonWriter> writeProperties) => Task.FromResult(ApiAnswer.Object(writeProperties));

    /// <summary>Exactly one of user, serviceaccount (NAMESPACE:NAME) or ip; checked here so the caller learns which parameter is wrong.</summary>
    private static TimelineQuery ReadTimeline(QueryParameters parameters)
    {
        var query = new TimelineQuery { User = parameters.Optional("user"), ServiceAccount = parameters.Optional("serviceaccount"), SourceIp = parameters.Optional("ip") };
        var given = new[] { query.User, query.ServiceAccount, query.SourceIp }.Count(value => value is not null);
        if (given != 1)
        {
            throw new BadParameterException(given == 0 ? "user" : "serviceaccount", "give exactly one of user, serviceaccount (NAMESPACE:NAME) or ip");
        }

        if (query.ServiceAccount is { } serviceAccount)
        {
            var parts = serviceAccount.Split(':');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new BadParameterException("serviceaccount", $"'{serviceAccount}' is not NAMESPACE:NAME");
            }
        }

        return query;
    }

    private static Severity? ReadSeverity(QueryParameters parameters) => parameters.Optional("severity") switch
    {
        null => null,
        var text when SeverityNames.TryParse(text, out var severity) => severity,
        var text => throw new BadParameterException("severity", $"unknown severity '{text}' (info, low, medium, high, critical)"),
    };
}
