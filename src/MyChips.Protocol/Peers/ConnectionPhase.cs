namespace MyChips.Protocol.Peers;

/// <summary>Where a connection is in the spec's machines, and which packets each phase accepts.</summary>
internal enum ConnectionPhase
{
    /// <summary>Initiator: N+K or I written, waiting for A.</summary>
    AwaitingAck,

    /// <summary>Responder: waiting for N or I.</summary>
    Listening,

    /// <summary>Responder: N read, KK keys loaded, waiting for K.</summary>
    Identified,

    /// <summary>
    /// Responder, strict mode: A sent, but the K or I payload is held until the initiator proves it holds the
    /// session keys with its first T or R (a replayed K or I cannot), so replays deliver nothing.
    /// </summary>
    AwaitingConfirmation,

    /// <summary>Both ways: T and R flow.</summary>
    Open,

    Closed,
}

internal static class ConnectionPhaseRules
{
    /// <summary>The fast-path check: does this phase accept this packet type?</summary>
    public static bool Accepts(this ConnectionPhase phase, byte type) => phase switch
    {
        ConnectionPhase.Open or ConnectionPhase.AwaitingConfirmation => type is PacketTypes.Transport or PacketTypes.Receipt,
        ConnectionPhase.Listening => type is PacketTypes.Declare or PacketTypes.Ticket,
        ConnectionPhase.Identified => type == PacketTypes.Knock,
        ConnectionPhase.AwaitingAck => type == PacketTypes.Ack,
        _ => false,
    };
}
