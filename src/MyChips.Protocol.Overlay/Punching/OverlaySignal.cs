using System.Net;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Overlay.Wire;

namespace MyChips.Protocol.Overlay.Punching;

/// <summary>What a punch signal asks (libp2p DCUtR's messages, and the move to a relay circuit).</summary>
public enum OverlaySignalKind
{
    /// <summary>The sender's observed addresses; the initiator sends it first, the responder answers with its own.</summary>
    Connect = 0,
    /// <summary>From the initiator: dial now.</summary>
    Sync = 1,
    /// <summary>Punching failed: meet in a relay circuit (the responder sends it back before the initiator dials the circuit).</summary>
    Relay = 2,
}

/// <summary>One hole-punch message between two nodes, carried by the overlay: its kind, attempt and the sender's observed addresses.</summary>
public sealed record OverlaySignal(OverlaySignalKind Kind, int Attempt, IPEndPoint? Tcp = null, IPEndPoint? Udp = null)
{
    /// <summary>Attempts a punch may take; a signal naming a later one is malformed.</summary>
    public const int MaxAttempt = 16;

    /// <summary>Where the signal stands in one punch's sequence: each side's signals must rise, so a replayed one is refused.</summary>
    internal int Step => Attempt * 3 + (int)Kind;

    internal PunchSignal ToWire(ReadOnlyMemory<byte> target, ReadOnlyMemory<byte> source) =>
        new(target.ToArray(), source.ToArray(), (uint)Kind, (uint)Attempt, Tcp?.ToString(), Udp?.ToString());

    /// <summary>The signal in <paramref name="body"/>, or why it is malformed.</summary>
    internal static OverlaySignal? TryRead(PunchSignal body, out string? problem)
    {
        IPEndPoint? tcp = null, udp = null;
        problem = body.Target.Length != X25519Keys.KeyLength ? "a target that is not a 32-byte key"
            : body.Source.Length is not (0 or X25519Keys.KeyLength) ? "a source that is not a 32-byte key"
            : body.Kind > (uint)OverlaySignalKind.Relay ? $"an unknown kind {body.Kind}"
            : body.Attempt is 0 or > MaxAttempt ? $"attempt {body.Attempt} outside 1 to {MaxAttempt}"
            : !TryAddress(body.Tcp, out tcp) || !TryAddress(body.Udp, out udp) ? "an address that is not ip:port"
            : null;
        return problem is null ? new OverlaySignal((OverlaySignalKind)body.Kind, (int)body.Attempt, tcp, udp) : null;
    }

    private static bool TryAddress(string? text, out IPEndPoint? address)
    {
        address = null;
        if (text is null) return true;
        return IPEndPoint.TryParse(text, out address) && address.Port != 0;
    }
}
