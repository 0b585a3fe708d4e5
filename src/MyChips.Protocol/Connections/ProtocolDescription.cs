namespace MyChips.Protocol.Connections;

/// <summary>
/// A protocol as its spec declares it, for the engine: the packet table, the largest frame, and a factory for
/// each role's machine. The generator emits one per spec (<c>{Protocol}Description.Instance</c>); the engine
/// reads nothing else, so it runs any spec with length-prefixed framing without knowing its names.
/// </summary>
public abstract class ProtocolDescription
{
    private readonly PacketDescriptor?[] _byType = new PacketDescriptor?[256];

    protected ProtocolDescription(string name, ProtocolFraming framing, int maxFrameLength, IReadOnlyList<PacketDescriptor> packets)
    {
        Framing = framing;
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1);
        ArgumentNullException.ThrowIfNull(packets);
        Name = name;
        MaxFrameLength = maxFrameLength;
        Packets = packets;
        foreach (var packet in packets)
        {
            if (_byType[packet.Type] is not null)
                throw new ArgumentException($"Two packets share the type byte 0x{packet.Type:X2}.", nameof(packets));
            _byType[packet.Type] = packet;
        }
        AnyLinePacket = framing == ProtocolFraming.Line ? packets.FirstOrDefault(p => p.Keyword == AnyLineKeyword) : null;
        HandshakePatterns = packets.Where(p => p.Stage == PacketStage.Handshake).SelectMany(p => p.Patterns).Distinct(StringComparer.Ordinal).ToArray();
        _preludes = FindPreludes(packets);
    }

    private readonly HashSet<string> _preludes;

    /// <summary>
    /// One-way patterns (N, K, X) after which the spec starts another handshake: a prelude (an N that names the
    /// initiator before a KK, say) yields no transport of its own; the handshake after it does.
    /// </summary>
    public bool IsPrelude(string pattern) => _preludes.Contains(pattern);

    private static HashSet<string> FindPreludes(IReadOnlyList<PacketDescriptor> packets)
    {
        var starts = packets.Where(p => p.Stage == PacketStage.Handshake && p.MessageIndex == 1).SelectMany(p => p.Patterns).ToHashSet(StringComparer.Ordinal);
        return starts.Where(p => starts.Count > 1 && Noise.HandshakePattern.Parse(p).IsOneWay).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The keyword of a line-framed spec's any-line packet.</summary>
    public const string AnyLineKeyword = "*";

    /// <summary>
    /// In line framing, the packet declared with the keyword <c>"*"</c>: a line whose first word is no other packet's
    /// is this packet, the whole line its body (a data line such as a transfer header); null when the spec has none.
    /// </summary>
    public PacketDescriptor? AnyLinePacket { get; }

    /// <summary>How the packets are framed.</summary>
    public ProtocolFraming Framing { get; }

    /// <summary>The spec's protocol name.</summary>
    public string Name { get; }

    /// <summary>The largest length field the spec allows (type byte plus body).</summary>
    public int MaxFrameLength { get; }

    /// <summary>Every packet, in spec order.</summary>
    public IReadOnlyList<PacketDescriptor> Packets { get; }

    /// <summary>The Noise patterns the spec's handshake packets belong to, in spec order.</summary>
    public IReadOnlyList<string> HandshakePatterns { get; }

    /// <summary>The packet with this type byte; false for a byte the spec does not declare.</summary>
    public bool TryGetPacket(byte type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PacketDescriptor? packet)
    {
        packet = _byType[type];
        return packet is not null;
    }

    /// <summary>The packet with this type byte; throws <see cref="ArgumentException"/> for a byte the spec does not declare.</summary>
    public PacketDescriptor GetPacket(byte type) =>
        _byType[type] ?? throw new ArgumentException($"Type 0x{type:X2} is no packet of {Name}.", nameof(type));

    /// <summary>The packet with this command word (line framing) or type character; false for any other.</summary>
    public bool TryGetPacket(ReadOnlySpan<byte> keyword, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PacketDescriptor? packet)
    {
        foreach (var candidate in Packets)
        {
            // Keywords are printable ASCII (the spec checker says so): one byte a character.
            if (keyword.Length == candidate.Keyword.Length && Matches(keyword, candidate.Keyword))
            {
                packet = candidate;
                return true;
            }
        }
        packet = null;
        return false;
    }

    private static bool Matches(ReadOnlySpan<byte> bytes, string text)
    {
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] != text[i]) return false;
        return true;
    }

    /// <summary>The packet that carries message <paramref name="index"/> of <paramref name="pattern"/>, if the spec has one.</summary>
    public PacketDescriptor? FindHandshakePacket(string pattern, int index) =>
        Packets.FirstOrDefault(p => p.IsHandshakeMessage(pattern, index));

    /// <summary>
    /// The role's machine, driving <paramref name="session"/> (which implements the machine's generated
    /// actions interface); null when the spec declares no machine for the role.
    /// </summary>
    public abstract IConnectionMachine? CreateMachine(ConnectionRole role, object session);

    public override string ToString() => Name;
}
