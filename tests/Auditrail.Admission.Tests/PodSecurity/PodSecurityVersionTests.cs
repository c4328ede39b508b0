using Auditrail.Admission.PodSecurity;

namespace Auditrail.Admission.Tests.PodSecurity;

public sealed class PodSecurityVersionTests
{
    [Theory]
    [InlineData("v1.0", 0)]
    [InlineData("v1.27", 27)]
    [InlineData("v1.999", 999)]
    public void Numbered_versions_parse_to_their_minor(string text, int minor)
    {
        Assert.True(PodSecurityVersion.TryParse(text, out var version));
        Assert.Equal(minor, version.Minor);
        Assert.Equal(text, version.ToString());
    }

    [Fact]
    public void Latest_parses_and_sorts_after_every_numbered_version()
    {
        var latest = PodSecurityVersion.Parse("latest");
        Assert.True(latest.IsLatest);
        Assert.True(latest > PodSecurityVersion.V1(1000));
        Assert.Equal("latest", latest.ToString());
    }

    [Theory]
    [InlineData("v1.05")]
    [InlineData("1.27")]
    [InlineData("v2.0")]
    [InlineData("v1.")]
    [InlineData("v1.27.3")]
    [InlineData(" v1.27")]
    [InlineData("Latest")]
    [InlineData("v1.99999999999")]
    [InlineData("")]
    public void Anything_but_latest_or_v1_N_is_rejected_as_upstream_rejects_it(string text)
    {
        Assert.False(PodSecurityVersion.TryParse(text, out _));
        Assert.Throws<FormatException>(() => PodSecurityVersion.Parse(text));
    }

    [Theory]
    [InlineData("restricted", "restricted:latest")]
    [InlineData("baseline:v1.25", "baseline:v1.25")]
    [InlineData("privileged:latest", "privileged:latest")]
    public void Level_and_version_parse_as_the_cli_takes_them(string text, string written)
    {
        Assert.True(PodSecurityLevelVersion.TryParse(text, out var levelVersion, out var error), error);
        Assert.Equal(written, levelVersion.ToString());
    }

    [Theory]
    [InlineData("Restricted", "invalid level \"Restricted\": must be one of privileged, baseline, restricted")]
    [InlineData("baseline:1.25", "invalid version \"1.25\": must be \"latest\" or \"v1.x\"")]
    public void Bad_level_or_version_is_explained(string text, string message)
    {
        Assert.False(PodSecurityLevelVersion.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }
}
