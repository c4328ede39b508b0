using Auditrail.Server.Ingest;

namespace Auditrail.Server.Tests.Ingest;

public sealed class IngestOptionsTests
{
    [Theory]
    [InlineData("prod", true)]
    [InlineData("prod-eu.west-1", true)]
    [InlineData("0cluster9", true)]
    [InlineData("Prod", false)]
    [InlineData("-prod", false)]
    [InlineData("prod.", false)]
    [InlineData("prod_eu", false)]
    [InlineData("", false)]
    public void Cluster_names_follow_dns_1123(string name, bool valid) => Assert.Equal(valid, ClusterName.IsValid(name));

    [Fact]
    public async Task Unusable_options_are_refused_when_the_module_is_built()
    {
        using var directory = new WalDirectory();
        await using var wal = directory.Open();
        Assert.Throws<ArgumentException>(() => new IngestModule(wal, new IngestOptions { DefaultCluster = "Not A Name" }));
        Assert.Throws<ArgumentException>(() => new IngestModule(wal, new IngestOptions { AllowClientCertificates = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IngestModule(wal, new IngestOptions { MaxBodyBytes = 4L << 30 }));
    }
}
