using System.Text;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Interop.Tests.Noise;

/// <summary>
/// The engine against npm noise-protocol 3.0.2, the library of the deployed MyCHIPs JavaScript peer
/// (mychips-wire.md): handshake messages agree with the spec in both directions, the JavaScript side
/// swaps the transport keys of two-message patterns, and sends messages over 65535 bytes.
/// </summary>
public sealed class NpmNoiseInteropTests
{
    private static readonly byte[] DotnetStatic = Key(0x21);
    private static readonly byte[] NodeStatic = Key(0x42);

    [Theory]
    [InlineData("KK")]
    [InlineData("IK")]
    public async Task A_dotnet_initiator_talks_to_a_JavaScript_responder_in_the_compatible_profile(string pattern)
    {
        await using var node = await NodeNoisePeer.StartAsync(pattern, initiator: false, NodeStatic, pattern == "KK" ? Public(DotnetStatic) : null);
        using var initiator = Initiator(pattern, NoiseProfile.JavaScriptCompatible);

        var (transport, _) = await RunAsInitiator(initiator, node);
        using (transport)
        {
            await AssertTransportBothWays(transport, node);
            // Item 4: the JavaScript peer sends messages over 65535 bytes.
            var large = new byte[200_000];
            Random.Shared.NextBytes(large);
            var ciphertext = await node.EncryptAsync(large);
            var received = new byte[large.Length];
            Assert.Equal(large.Length, transport.Decrypt(ciphertext, received));
            Assert.Equal(large, received);
        }
    }

    [Fact]
    public async Task In_the_strict_profile_the_JavaScript_responder_keys_are_the_other_way_round()
    {
        await using var node = await NodeNoisePeer.StartAsync("KK", initiator: false, NodeStatic, Public(DotnetStatic));
        using var initiator = Initiator("KK", NoiseProfile.Strict);
        var (transport, _) = await RunAsInitiator(initiator, node);
        using (transport)
        {
            // Item 3: the handshake itself agrees, but the JavaScript responder sends with the first Split key.
            var ciphertext = await node.EncryptAsync("from node"u8.ToArray());
            var error = Assert.Throws<NoiseException>(() => transport.Decrypt(ciphertext, new byte[64]));
            Assert.Equal(NoiseError.DecryptionFailed, error.Reason);
            Assert.False(transport.TryDecrypt(await node.EncryptAsync(new byte[70_000]), new byte[70_000], out _));
        }
    }

    [Fact]
    public async Task A_JavaScript_initiator_talks_to_a_dotnet_responder_in_the_compatible_profile()
    {
        await using var node = await NodeNoisePeer.StartAsync("KK", initiator: true, NodeStatic, Public(DotnetStatic));
        using var responder = new HandshakeState(NoiseProtocol.Parse("Noise_KK_25519_ChaChaPoly_BLAKE2b"), NoiseRole.Responder, new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = DotnetStatic,
            RemoteStaticPublicKey = Public(NodeStatic),
            Profile = NoiseProfile.JavaScriptCompatible,
        });
        var (first, _) = await node.WriteAsync("{\"target\":\"tally\"}"u8.ToArray());
        var payload = new byte[first.Length];
        var length = responder.ReadMessage(first, payload);
        Assert.Equal("{\"target\":\"tally\"}", Encoding.UTF8.GetString(payload, 0, length));

        var ack = new byte[responder.GetMessageLength(0)];
        Assert.Equal(48, responder.WriteMessage(default, ack));
        var (ackPayload, done) = await node.ReadAsync(ack);
        Assert.True(done);
        Assert.Empty(ackPayload);
        using var transport = responder.Split();
        await AssertTransportBothWays(transport, node);
    }

    [Fact]
    public async Task A_JavaScript_N_message_opens_in_dotnet()
    {
        await using var node = await NodeNoisePeer.StartAsync("N", initiator: true, null, Public(DotnetStatic));
        using var responder = new HandshakeState(NoiseProtocol.Parse("Noise_N_25519_ChaChaPoly_BLAKE2b"), NoiseRole.Responder,
            new NoiseHandshakeOptions { LocalStaticPrivateKey = DotnetStatic });
        var agent = "\"aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789-_abcdefg\""u8.ToArray();
        var (message, done) = await node.WriteAsync(agent);
        Assert.True(done);
        Assert.Equal(agent.Length + 48, message.Length);
        var payload = new byte[message.Length];
        Assert.Equal(agent, payload[..responder.ReadMessage(message, payload)]);
        Assert.True(responder.IsCompleted);
    }

    private static HandshakeState Initiator(string pattern, NoiseProfile profile) =>
        new(NoiseProtocol.Parse($"Noise_{pattern}_25519_ChaChaPoly_BLAKE2b"), NoiseRole.Initiator, new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = DotnetStatic,
            RemoteStaticPublicKey = Public(NodeStatic),
            Profile = profile,
        });

    private static async Task<(NoiseTransport Transport, byte[] Payload)> RunAsInitiator(HandshakeState initiator, NodeNoisePeer node)
    {
        var hello = "{\"target\":\"tally\",\"action\":\"ticket\"}"u8.ToArray();
        var first = new byte[initiator.GetMessageLength(hello.Length)];
        initiator.WriteMessage(hello, first);
        var (payload, _) = await node.ReadAsync(first);
        Assert.Equal(hello, payload);

        var (reply, done) = await node.WriteAsync(default);
        Assert.True(done);
        Assert.Equal(48, reply.Length);
        var replyPayload = new byte[initiator.GetPayloadLength(reply.Length)];
        initiator.ReadMessage(reply, replyPayload);
        Assert.True(initiator.IsCompleted);
        return (initiator.Split(), replyPayload);
    }

    private static async Task AssertTransportBothWays(NoiseTransport transport, NodeNoisePeer node)
    {
        var fromNode = await node.EncryptAsync("{\"from\":\"node\"}"u8.ToArray());
        var plaintext = new byte[fromNode.Length];
        var length = transport.Decrypt(fromNode, plaintext);
        Assert.Equal("{\"from\":\"node\"}", Encoding.UTF8.GetString(plaintext, 0, length));

        var message = "{\"from\":\"dotnet\"}"u8.ToArray();
        var ciphertext = new byte[message.Length + NoiseTransport.TagLength];
        transport.Encrypt(message, ciphertext);
        Assert.Equal(message, await node.DecryptAsync(ciphertext));
    }

    private static byte[] Key(byte seed) => Enumerable.Range(0, 32).Select(i => (byte)(seed + i)).ToArray();

    private static byte[] Public(byte[] secret)
    {
        var result = new byte[32];
        X25519Keys.DerivePublicKey(secret, result);
        return result;
    }
}
