using System.Net;
using Auditrail.Server.Hosting;

namespace Auditrail.Server.Tests.Hosting;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8443", "127.0.0.1", 8443)]
    [InlineData("0.0.0.0:443", "0.0.0.0", 443)]
    [InlineData("[::1]:9443", "::1", 9443)]
    [InlineData("[::]:8443", "::", 8443)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    public void Ip_and_port_parse(string text, string ip, int port)
    {
        Assert.True(ListenAddress.TryParse(text, out var address, out _));
        Assert.Equal(IPAddress.Parse(ip), address.Address);
        Assert.Equal(port, address.Port);
        Assert.Equal(text, address.ToString());
    }

    [Fact]
    public void Localhost_binds_both_loopbacks()
    {
        Assert.True(ListenAddress.TryParse("localhost:8443", out var address, out _));
        Assert.True(address.IsLocalhost);
    }

    [Theory]
    [InlineData("8443", "not HOST:PORT")]
    [InlineData(":8443", "not HOST:PORT")]
    [InlineData("127.0.0.1:", "not HOST:PORT")]
    [InlineData("127.0.0.1:99999", "not a port number")]
    [InlineData("127.0.0.1:-1", "not a port number")]
    [InlineData("example.com:8443", "not an IP address or localhost")]
    [InlineData("::1:8443", "not an IP address")]
    [InlineData("localhost:0", "cannot pick a free port")]
    public void Bad_addresses_say_what_is_wrong(string text, string expected)
    {
        Assert.False(ListenAddress.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_is_loopback_only() => Assert.True(IPAddress.IsLoopback(ListenAddress.Default.Address!));
}
