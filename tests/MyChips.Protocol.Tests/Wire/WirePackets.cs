using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Wire;

/// <summary>One packet of the wire golden files: its type and the plaintext body (the Noise payload).</summary>
public sealed record WirePacket(string Name, PacketType Type, byte[] Plaintext);

/// <summary>
/// The packets whose wire form is pinned by golden files, one per packet type, with fixed plaintext.
/// The raw-mode test frames the plaintext as it is; an encrypted test frames the Noise message
/// made from the same plaintext with fixed static and ephemeral keys.
/// </summary>
public static class WirePackets
{
    public const string AgentId = "P2uDbL8Zq4qm7xYc0mD6kLl6JqFqz9pW1nYwH4q0c1E";

    public const string TicketMessage =
        """{"target":"tally","action":"ticket","to":{"cuid":"alice","agent":"Xq2oJ7nYc1KpM4sT8vW0zB3dF6gH9jL5rN1uE2wQ4yA","host":"peer-a.example","port":65430},"from":{"cuid":"bob","agent":"P2uDbL8Zq4qm7xYc0mD6kLl6JqFqz9pW1nYwH4q0c1E","host":"peer-b.example","port":65431},"ticket":{"token":"f3b0c44298fc1c149afbf4c8996fb924","expires":"2026-11-24T18:00:00.000Z","chad":{"cuid":"alice","agent":"Xq2oJ7nYc1KpM4sT8vW0zB3dF6gH9jL5rN1uE2wQ4yA","host":"peer-a.example","port":65430}}}""";

    public const string KnockMessage =
        """{"target":"tally","action":"update","to":{"cuid":"alice","agent":"Xq2oJ7nYc1KpM4sT8vW0zB3dF6gH9jL5rN1uE2wQ4yA"},"from":{"cuid":"bob","agent":"P2uDbL8Zq4qm7xYc0mD6kLl6JqFqz9pW1nYwH4q0c1E"},"object":{"uuid":"5b1d0c1e-8b7a-4f3e-9d2c-1a0b9c8d7e6f","version":1}}""";

    public const string TransportMessage =
        """{"target":"chit","action":"update","to":{"cuid":"alice"},"from":{"cuid":"bob"},"object":{"units":1500,"memo":"lunch"}}""";

    public static IReadOnlyList<WirePacket> All { get; } = new[]
    {
        new WirePacket("Ticket", PacketType.Ticket, PeerMessageCodec.ToBytes(Parse(TicketMessage))),
        new WirePacket("Declare", PacketType.Declare, AgentIdCodec.ToBytes(AgentId)),
        new WirePacket("Knock", PacketType.Knock, PeerMessageCodec.ToBytes(Parse(KnockMessage))),
        new WirePacket("Ack", PacketType.Ack, Array.Empty<byte>()),
        new WirePacket("Transport", PacketType.Transport, PeerMessageCodec.ToBytes(Parse(TransportMessage))),
        new WirePacket("Receipt", PacketType.Receipt, [0, 0, 0, 0, 0, 0, 0, 3]),
        new WirePacket("Offer", PacketType.Offer, [1]),
        new WirePacket("Batch", PacketType.Batch, Batch(PeerMessageCodec.ToBytes(Parse(TransportMessage)), PeerMessageCodec.ToBytes(Parse(KnockMessage)))),
    };

    public static TheoryData<string> Names => new(All.Select(p => p.Name));

    public static WirePacket Get(string name) => All.Single(p => p.Name == name);

    /// <summary>A B's plaintext: each message as a 4-byte big-endian length, then its bytes.</summary>
    public static byte[] Batch(params byte[][] messages)
    {
        var plain = new List<byte>();
        foreach (var message in messages)
        {
            plain.AddRange(new[] { (byte)(message.Length >> 24), (byte)(message.Length >> 16), (byte)(message.Length >> 8), (byte)message.Length });
            plain.AddRange(message);
        }
        return plain.ToArray();
    }

    private static System.Text.Json.JsonElement Parse(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();
}
