using System.Text.Json;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>The test oracle reproduces the cacophony vectors of the three MyCHIPs patterns before it judges anything.</summary>
public sealed class ReferenceNoiseTests
{
    [Theory]
    [InlineData("N")]
    [InlineData("KK")]
    [InlineData("IK")]
    public void The_oracle_reproduces_the_cacophony_vector(string pattern)
    {
        var vector = Vector($"Noise_{pattern}_25519_ChaChaPoly_BLAKE2b");
        var initiator = ReferenceNoise.Initiator(pattern, Optional(vector, "init_static"), Bytes(vector, "init_remote_static"),
            Bytes(vector, "init_prologue"), Bytes(vector, "init_ephemeral"));
        var responder = ReferenceNoise.Responder(pattern, Bytes(vector, "resp_static"), Optional(vector, "resp_remote_static"),
            Bytes(vector, "resp_prologue"), Optional(vector, "resp_ephemeral"));
        var messages = vector.GetProperty("messages").EnumerateArray().ToList();
        var handshakeMessages = pattern == "N" ? 1 : 2;

        for (var i = 0; i < handshakeMessages; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            var payload = Bytes(messages[i], "payload");
            var written = writer.WriteMessage(payload);
            Assert.Equal(Hex(messages[i], "ciphertext"), Convert.ToHexStringLower(written));
            Assert.Equal(payload, reader.ReadMessage(written));
        }
        Assert.Equal(Hex(vector, "handshake_hash"), Convert.ToHexStringLower(initiator.HandshakeHash));

        // Transport: spec order, the initiator sends with the first Split key.
        var (i1, i2) = initiator.Split();
        var (r1, r2) = responder.Split();
        for (var i = handshakeMessages; i < messages.Count; i++)
        {
            var fromInitiator = pattern == "N" || (i - handshakeMessages) % 2 == 0;
            var (send, receive) = fromInitiator ? (i1, r1) : (r2, i2);
            var payload = Bytes(messages[i], "payload");
            var ciphertext = send.Encrypt(payload);
            Assert.Equal(Hex(messages[i], "ciphertext"), Convert.ToHexStringLower(ciphertext));
            Assert.Equal(payload, receive.Decrypt(ciphertext));
        }
    }

    private static JsonElement Vector(string protocol)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Shared, "vectors", "noise", "cacophony.txt")));
        return document.RootElement.GetProperty("vectors").EnumerateArray()
            .First(v => v.GetProperty("protocol_name").GetString() == protocol).Clone();
    }

    private static string Hex(JsonElement e, string name) => e.GetProperty(name).GetString()!.ToLowerInvariant();

    private static byte[] Bytes(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);

    private static byte[]? Optional(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? Convert.FromHexString(v.GetString()!) : null;
}
