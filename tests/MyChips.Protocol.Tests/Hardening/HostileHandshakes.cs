using System.Net;
using System.Text;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>Handshakes a hostile peer completes on its own, so that what it sends next reaches an open connection.</summary>
internal static class HostileHandshakes
{
    public static readonly IPAddress Hostile = IPAddress.Parse("127.0.0.2");

    public static IPEndPoint EndPoint(TestSite site) => new(IPAddress.Loopback, site.Port);

    /// <summary>
    /// Raw mode: N with the agent id, K with a first message; a non-strict responder is open after its A. With
    /// <paramref name="offerReceipts"/>, a C offering receipts goes between them, so the responder sends and awaits R.
    /// </summary>
    public static byte[] RawDeclareAndKnock(AgentId agent, string json = """{"hello":1}""", bool offerReceipts = false) =>
        [.. HostileFrames.Frame('N', AgentIdCodec.ToBytes(agent.ToString())),
         .. offerReceipts ? HostileFrames.Frame('C', [1]) : [],
         .. HostileFrames.Frame('K', Encoding.UTF8.GetBytes(json))];

    /// <summary>An agent the site trusts, for a hostile peer to claim.</summary>
    public static AgentKey TrustedAgent(TestSite site)
    {
        var key = AgentKey.Generate("127.0.0.1", 1);
        site.Keys.Add(AgentRecord.FromId(key.Agent, "127.0.0.1", 1));
        return key;
    }

    /// <summary>
    /// Strict mode, done by hand: N+K (Noise N then KK) as the trusted agent, the responder's A, then a first T
    /// that proves the keys. Returns the cipher, ready to encrypt more T frames (or to be abused).
    /// </summary>
    public static async Task<NoiseDriver> StrictOpenAsync(HostilePeer peer, TestSite site, AgentKey agent)
    {
        var noise = PeerDrivers.Initiator(agent, site.Agent);
        var n = noise.Seal(PacketType.Declare, AgentIdCodec.ToBytes(agent.Agent.ToString()));
        var k = noise.Seal(PacketType.Knock, """{"knock":1}"""u8);
        await peer.SendAsync(HostileFrames.Frame('N', n).Concat(HostileFrames.Frame('K', k)).ToArray());
        var (type, body) = await peer.ReadFrameAsync(TestSite.Deadline);
        Assert.Equal('A', type);
        Assert.True(noise.TryOpen(PacketType.Ack, body, out _));
        await peer.SendAsync(EncryptedFrame(noise, 'T', """{"confirm":1}"""u8));
        return noise;
    }

    public static byte[] EncryptedFrame(NoiseDriver noise, char type, ReadOnlySpan<byte> plaintext)
    {
        var body = new byte[plaintext.Length + noise.TransportOverhead];
        noise.EncryptTransport(plaintext, body);
        return HostileFrames.Frame(type, body);
    }
}
