using System.Text.Json;
using MyChips.Protocol.Noise;

namespace MyChips.Peer.NoiseVectors;

/// <summary>Plays one vector through an initiator and a responder; returns the first mismatch, or null.</summary>
internal static class VectorRun
{
    public static string? Run(NoiseProtocol protocol, JsonElement vector)
    {
        using var initiator = new HandshakeState(protocol, NoiseRole.Initiator, Options(vector, "init"));
        using var responder = new HandshakeState(protocol, NoiseRole.Responder, Options(vector, "resp"));
        if (!vector.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("the vector has no \"messages\" array.");

        NoiseTransport? initiatorTransport = null;
        NoiseTransport? responderTransport = null;
        try
        {
            var index = 0;
            foreach (var message in messages.EnumerateArray())
            {
                var payload = Hex(message, "payload");
                var expected = Hex(message, "ciphertext");
                var buffer = new byte[Math.Max(expected.Length, payload.Length + NoiseTransport.TagLength) + 64];
                var received = new byte[buffer.Length];
                int written, read;
                if (!initiator.IsCompleted || !responder.IsCompleted)
                {
                    var (writer, reader) = initiator.WritesNextMessage ? (initiator, responder) : (responder, initiator);
                    written = writer.WriteMessage(payload, buffer);
                    if (!buffer.AsSpan(0, written).SequenceEqual(expected))
                        return $"message {index}: handshake ciphertext {Convert.ToHexStringLower(buffer.AsSpan(0, written))} != {Convert.ToHexStringLower(expected)}";
                    read = reader.ReadMessage(expected, received);
                    if (initiator.IsCompleted != responder.IsCompleted)
                        return $"message {index}: one side completed the handshake and the other did not.";
                    if (initiator.IsCompleted)
                    {
                        if (vector.TryGetProperty("handshake_hash", out _))
                        {
                            var hash = Hex(vector, "handshake_hash");
                            if (!initiator.HandshakeHash.SequenceEqual(hash) || !responder.HandshakeHash.SequenceEqual(hash))
                                return $"handshake hash {Convert.ToHexStringLower(initiator.HandshakeHash)} != {Convert.ToHexStringLower(hash)}";
                        }
                        initiatorTransport = initiator.Split();
                        responderTransport = responder.Split();
                    }
                }
                else
                {
                    var initiatorSends = protocol.Pattern.IsOneWay || index % 2 == 0;
                    var (sender, receiver) = initiatorSends ? (initiatorTransport!, responderTransport!) : (responderTransport!, initiatorTransport!);
                    written = sender.Encrypt(payload, buffer);
                    if (!buffer.AsSpan(0, written).SequenceEqual(expected))
                        return $"message {index}: transport ciphertext {Convert.ToHexStringLower(buffer.AsSpan(0, written))} != {Convert.ToHexStringLower(expected)}";
                    read = receiver.Decrypt(expected, received);
                }
                if (!received.AsSpan(0, read).SequenceEqual(payload))
                    return $"message {index}: decrypted payload {Convert.ToHexStringLower(received.AsSpan(0, read))} != {Convert.ToHexStringLower(payload)}";
                index++;
            }
            return initiator.IsCompleted ? null : "the vector ends before the handshake completes.";
        }
        finally
        {
            initiatorTransport?.Dispose();
            responderTransport?.Dispose();
        }
    }

    private static NoiseHandshakeOptions Options(JsonElement vector, string side) => new()
    {
        Prologue = OptionalHex(vector, $"{side}_prologue"),
        LocalStaticPrivateKey = OptionalHex(vector, $"{side}_static"),
        RemoteStaticPublicKey = OptionalHex(vector, $"{side}_remote_static"),
        FixedEphemeralPrivateKey = OptionalHex(vector, $"{side}_ephemeral"),
        PreSharedKeys = vector.TryGetProperty($"{side}_psks", out var psks) && psks.ValueKind == JsonValueKind.Array
            ? psks.EnumerateArray().Select(p => (ReadOnlyMemory<byte>)Convert.FromHexString(p.GetString() ?? "")).ToList()
            : [],
    };

    private static byte[] OptionalHex(JsonElement element, string property) =>
        element.TryGetProperty(property, out _) ? Hex(element, property) : [];

    private static byte[] Hex(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"\"{property}\" is missing or not a string.");
        return Convert.FromHexString(value.GetString()!);
    }
}
