using System.Text.RegularExpressions;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>The spec's timeouts are the node's defaults: editing <c>timeout ... 10s</c> in the spec changes them.</summary>
public class SpecTimeoutDefaultsTests
{
    [Fact]
    public void The_handshake_and_idle_defaults_are_the_responder_machine_s_timeouts_in_the_spec()
    {
        var spec = File.ReadAllText(RepositoryPaths.Spec("mychips-peer.protocol"));
        var responder = spec[spec.IndexOf("machine Responder", StringComparison.Ordinal)..];
        using var key = AgentKey.Generate("127.0.0.1", 0);

        var options = new PeerNodeOptions { LocalKey = key };

        Assert.Equal(SecondsOf(responder, "handshake"), options.HandshakeTimeout);
        Assert.Equal(SecondsOf(responder, "idle"), options.IdleTimeout);
    }

    private static TimeSpan SecondsOf(string machine, string timeout)
    {
        var match = Regex.Match(machine, $@"^\s*timeout {timeout} (\d+)s\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no 'timeout {timeout} Ns' in the spec's Responder machine");
        return TimeSpan.FromSeconds(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
