using System.Text.Encodings.Web;
using System.Text.Json;
using Auditrail.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Api;

/// <summary>What an endpoint answers: a status and a JSON body.</summary>
internal sealed record ApiAnswer(Action<Utf8JsonWriter> WriteBody, int Status = StatusCodes.Status200OK)
{
    /// <summary>A result's properties in the top-level object the CLI prints too.</summary>
    public static ApiAnswer Object(Action<Utf8JsonWriter> writeProperties) => new(writer =>
    {
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
    });

    public static ApiAnswer NotFound(string message) => new(writer => ApiAnswers.WriteError(writer, StatusCodes.Status404NotFound, "NotFound", null, message), StatusCodes.Status404NotFound);
}

/// <summary>
/// The steps every <c>/api/v1</c> request goes through: the token and its scope, the query parameters,
/// the store call, and the JSON answer or error. Errors have one shape:
/// <c>{"status": 400, "error": "BadParameter", "parameter": "since", "message": "…"}</c>.
/// </summary>
internal sealed partial class ApiAnswers(AccessTokens tokens, ILogger logger)
{
    /// <summary>Relaxed escaping keeps quotes and non-ASCII names readable; the body is JSON, never HTML.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task RunAsync(HttpContext context, AccessScope scope, IReadOnlyCollection<string> parameterNames, Func<HttpContext, QueryParameters, Task<ApiAnswer>> answer)
    {
        var response = context.Response;
        // Audit data: no proxy or browser keeps a copy.
        response.Headers.CacheControl = "no-store";
        ApiAnswer result;
        switch (tokens.Check(context.Request, scope))
        {
            case AccessOutcome.Unauthenticated:
                // RFC 6750: a presented but unknown token is invalid_token; no token at all gets the bare challenge.
                response.Headers.WWWAuthenticate = context.Request.Headers.Authorization.Count == 0 ? "Bearer" : "Bearer error=\"invalid_token\"";
                result = Error(StatusCodes.Status401Unauthorized, "Unauthorized", null, "a bearer token with the read scope is required (Authorization: Bearer TOKEN)");
                break;
            case AccessOutcome.Forbidden:
                result = Error(StatusCodes.Status403Forbidden, "Forbidden", null, $"this token lacks the {(scope == AccessScope.Admin ? "admin" : "read")} scope that {context.Request.Path} needs");
                break;
            default:
                result = await AnswerAsync(context, parameterNames, answer).ConfigureAwait(false);
                break;
        }

        response.StatusCode = result.Status;
        response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            result.WriteBody(writer);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public static void WriteError(Utf8JsonWriter writer, int status, string error, string? parameter, string message)
    {
        writer.WriteStartObject();
        writer.WriteNumber("status"u8, status);
        writer.WriteString("error"u8, error);
        if (parameter is not null)
        {
            writer.WriteString("parameter"u8, parameter);
        }

        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
    }

    private async Task<ApiAnswer> AnswerAsync(HttpContext context, IReadOnlyCollection<string> parameterNames, Func<HttpContext, QueryParameters, Task<ApiAnswer>> answer)
    {
        try
        {
            return await answer(context, QueryParameters.Read(context.Request.Query, parameterNames)).ConfigureAwait(false);
        }
        catch (BadParameterException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "BadParameter", ex.Parameter, ex.Reason);
        }
        catch (RequestTooLargeException ex)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", null, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception may name files, SQL or DuckDB internals: the log gets it, the caller does not.
            LogFailed(logger, ex, context.Request.Path.Value ?? string.Empty);
            return Error(StatusCodes.Status500InternalServerError, "InternalError", null, "the store could not answer; the server's log has the details");
        }
    }

    private static ApiAnswer Error(int status, string error, string? parameter, string message) =>
        new(writer => WriteError(writer, status, error, parameter, message), status);

    [LoggerMessage(EventId = 7300, Level = LogLevel.Error, Message = "{Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}
