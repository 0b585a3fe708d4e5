using MyChips.Peer.Demo;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Tests.Demo;

public class PeerDemoTests
{
    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.MyChipsJs)]
    [InlineData(PeerMode.Raw)]
    public async Task The_demo_runs_a_ticket_connection_then_a_later_one_and_exits_0(PeerMode mode)
    {
        var output = new StringWriter();
        var exit = await PeerDemo.RunAsync(output, mode);
        var trace = output.ToString();

        Assert.True(exit == 0, trace);
        Assert.Contains("-> I", trace, StringComparison.Ordinal);
        Assert.Contains("-> N", trace, StringComparison.Ordinal);
        Assert.Contains("-> K", trace, StringComparison.Ordinal);
        Assert.Contains("<- A", trace, StringComparison.Ordinal);
        Assert.Contains("demo: ok", trace, StringComparison.Ordinal);
        if (mode != PeerMode.Raw) Assert.Contains("-> N    94 bytes", trace, StringComparison.Ordinal);
    }
}
