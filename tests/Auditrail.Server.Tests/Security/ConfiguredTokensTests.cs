using Auditrail.Server.Configuration;
using Auditrail.Server.Security;

namespace Auditrail.Server.Tests.Security;

public sealed class ConfiguredTokensTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-tokens-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ServeConfiguration Configuration(IngestSettings? ingest = null, ApiSettings? api = null) =>
        new() { DataDirectory = Path.Combine(_directory, "data"), Ingest = ingest ?? new(), Api = api ?? new() };

    private string TokenFile(string name, string token)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, token + "\n");
        return path;
    }

    [Fact]
    public void Without_configured_tokens_the_generated_one_may_do_everything_and_is_owner_only()
    {
        var tokens = ConfiguredTokens.Build(Configuration(), out var problems)!;
        Assert.Empty(problems);
        Assert.Equal(AccessScope.Ingest | AccessScope.Admin, tokens.GeneratedScopes);
        var generated = File.ReadAllText(tokens.GeneratedTokenFile!).Trim();
        Assert.Equal(AccessOutcome.Allowed, tokens.Tokens.Check(generated, AccessScope.Ingest));
        Assert.Equal(AccessOutcome.Allowed, tokens.Tokens.Check(generated, AccessScope.Admin));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokens.GeneratedTokenFile!));
        }

        // A restart finds the same token.
        var again = ConfiguredTokens.Build(Configuration(), out _)!;
        Assert.Equal(AccessOutcome.Allowed, again.Tokens.Check(generated, AccessScope.Ingest));
    }

    [Fact]
    public void Configured_tokens_keep_their_scopes_and_the_generated_one_covers_only_what_has_none()
    {
        var ingest = new IngestSettings { Tokens = [new TokenSource(TokenFile("ingest", "i-token"), null, AccessScope.Ingest)] };
        var tokens = ConfiguredTokens.Build(Configuration(ingest), out _)!;
        Assert.Equal(AccessScope.Admin, tokens.GeneratedScopes);
        Assert.Equal(AccessOutcome.Allowed, tokens.Tokens.Check("i-token", AccessScope.Ingest));
        Assert.Equal(AccessOutcome.Forbidden, tokens.Tokens.Check("i-token", AccessScope.Read));
        var generated = File.ReadAllText(tokens.GeneratedTokenFile!).Trim();
        Assert.Equal(AccessOutcome.Forbidden, tokens.Tokens.Check(generated, AccessScope.Ingest));

        var api = new ApiSettings { Tokens = [new TokenSource(null, "READER", AccessScope.Read)] };
        var both = ConfiguredTokens.Build(Configuration(ingest, api), out _, name => name == "READER" ? "r-token" : null)!;
        Assert.Null(both.GeneratedTokenFile);
        Assert.Equal(AccessOutcome.Allowed, both.Tokens.Check("r-token", AccessScope.Read));
        Assert.Equal(AccessOutcome.Forbidden, both.Tokens.Check("r-token", AccessScope.Admin));
    }

    [Fact]
    public void A_token_gone_since_the_configuration_was_read_stops_the_start_naming_its_source()
    {
        var path = TokenFile("ingest", "i-token");
        File.WriteAllText(path, "  ");
        var ingest = new IngestSettings { Tokens = [new TokenSource(path, null, AccessScope.Ingest), new TokenSource(null, "UNSET", AccessScope.Ingest)] };
        Assert.Null(ConfiguredTokens.Build(Configuration(ingest), out var problems, _ => null));
        Assert.Equal([$"file {path} holds no token", "env UNSET holds no token"], problems);
    }
}
