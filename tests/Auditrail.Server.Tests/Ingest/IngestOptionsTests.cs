using Auditrail.Server.Ingest;

namespace Auditrail.Server.Tests.Ingest;

public sealed class IngestOptionsTests
{
    [Fact]
    public void Cluster_names_follow_dns_1123()
    {
        Assert.All(["prod", "prod-eu.west-1", "0cluster9", new string('a', 253)], name => Assert.True(ClusterName.IsValid(name), name));
        Assert.All(["Prod", "-prod", "prod.", "prod_eu", "", new string('a', 254)], name => Assert.False(ClusterName.IsValid(name), name));
    }

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
