using System.Buffers;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>
/// The runtime's Noise driver over the MyCHIPs spec, as a peer's connection uses it, for tests that build handshake
/// and transport packets by hand: one packet at a time, sealed or opened as the spec declares it.
/// </summary>
internal static class PeerDrivers
{
    /// <summary>An initiator's driver, knowing the responder's agent (its static key) in advance.</summary>
    public static NoiseDriver Initiator(AgentKey key, AgentId responder, PeerMode mode = PeerMode.Strict)
    {
        var remoteStatic = new byte[NoiseStaticKey.Length];
        Assert.True(NoiseStaticKey.TryFromAgent(responder, remoteStatic));
        return new NoiseDriver(MyChipsPeerDescription.Instance, ConnectionRole.Initiator, Options(key, mode), remoteStatic);
    }

    public static NoiseDriver Responder(AgentKey key, PeerMode mode = PeerMode.Strict) =>
        new(MyChipsPeerDescription.Instance, ConnectionRole.Responder, Options(key, mode));

    private static ConnectionOptions Options(AgentKey key, PeerMode mode) => PeerNoise.Options(new PeerNodeOptions { LocalKey = key, Mode = mode });

    /// <summary>The body of one packet carrying <paramref name="payload"/>.</summary>
    public static byte[] Seal(this NoiseDriver driver, PacketType type, ReadOnlySpan<byte> payload)
    {
        var packet = PeerPackets.Of(type);
        var body = new byte[driver.GetBodyLength(packet, payload.Length)];
        Assert.Equal(body.Length, driver.Seal(packet, payload, body));
        return body;
    }

    /// <summary>A received body opened; false when the driver refuses it.</summary>
    public static bool TryOpen(this NoiseDriver driver, PacketType type, byte[] body, out byte[] payload) =>
        driver.TryOpen(PeerPackets.Of(type), new ReadOnlySequence<byte>(body), out payload, out _);

    /// <summary>The responder learns the initiator's key (as from N's agent id and its key store), for the KK after N.</summary>
    public static void KnowInitiator(this NoiseDriver responder, AgentId initiator)
    {
        var key = new byte[NoiseStaticKey.Length];
        Assert.True(NoiseStaticKey.TryFromAgent(initiator, key));
        responder.UsePeerStaticKey(key);
    }
}
