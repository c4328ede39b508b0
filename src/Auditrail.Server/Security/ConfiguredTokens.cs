using Auditrail.Server.Configuration;

namespace Auditrail.Server.Security;

/// <summary>
/// The tokens a configuration grants, read from their files and variables, as one <see cref="AccessTokens"/>
/// shared by ingest, the API and <c>/metrics</c> (each checks the scope it needs, so an API token posted
/// to the webhook is answered 403, not let in).
/// </summary>
public sealed class ConfiguredTokens
{
    private ConfiguredTokens(AccessTokens tokens, string? generatedTokenFile, AccessScope generatedScopes)
    {
        Tokens = tokens;
        GeneratedTokenFile = generatedTokenFile;
        GeneratedScopes = generatedScopes;
    }

    public AccessTokens Tokens { get; }

    /// <summary>
    /// <c>DATA/api-token</c> when the generated token is in use: for ingest when neither an ingest token
    /// nor a client CA is configured, for read and admin when no API token is; null when every section
    /// has its own credentials.
    /// </summary>
    public string? GeneratedTokenFile { get; }

    /// <summary>What the generated token may do; <see cref="AccessScope.None"/> when it is not used.</summary>
    public AccessScope GeneratedScopes { get; }

    /// <summary>
    /// Reads every configured token (the loader checked they were there; a Secret may still vanish
    /// before start) and creates the generated one if needed. Null, with the reasons in
    /// <paramref name="problems"/>, when a token cannot be read; the reasons name the source, never a value.
    /// </summary>
    public static ConfiguredTokens? Build(ServeConfiguration configuration, out IReadOnlyList<string> problems, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        var tokens = new AccessTokens();
        foreach (var source in configuration.Ingest.Tokens.Concat(configuration.Api.Tokens))
        {
            string? token = null;
            try
            {
                token = source.Read(environment);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"cannot read the token in {source.Describe()}: {ex.Message}");
                continue;
            }

            if (token is null)
            {
                errors.Add($"{source.Describe()} holds no token");
            }
            else
            {
                tokens.Add(token, source.Scopes);
            }
        }

        var generatedScopes = AccessScope.None;
        if (configuration.Ingest.Tokens.Count == 0 && configuration.Ingest.ClientCertificateAuthorityFile is null)
        {
            generatedScopes |= AccessScope.Ingest;
        }

        if (configuration.Api.Tokens.Count == 0)
        {
            generatedScopes |= AccessScope.Admin;
        }

        string? generatedFile = null;
        if (generatedScopes != AccessScope.None && errors.Count == 0)
        {
            try
            {
                tokens.Add(AccessTokens.ReadOrCreateGeneratedToken(configuration.DataDirectory), generatedScopes);
                generatedFile = Path.Combine(configuration.DataDirectory, AccessTokens.GeneratedTokenFileName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"cannot create the generated token in {configuration.DataDirectory}: {ex.Message}");
            }
        }

        problems = errors;
        return errors.Count == 0 ? new ConfiguredTokens(tokens, generatedFile, generatedScopes) : null;
    }
}
