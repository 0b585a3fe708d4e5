namespace MyChips.Protocol.Overlay.Relay;

/// <summary>
/// What a relaying node grants (circuit relay v2 as the anchor; go-libp2p's defaults: reservations of 1 hour, 128
/// reservations, 16 circuits, a relayed connection limited to 2 minutes and 128 KiB).
/// </summary>
public sealed class RelayLimits
{
    public int MaxReservations { get; init; } = 128;

    public int MaxCircuits { get; init; } = 16;

    public TimeSpan ReservationDuration { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan CircuitDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Bytes a circuit may carry in each direction.</summary>
    public long CircuitBytes { get; init; } = 128 * 1024;
}

/// <summary>A relay's answer to a reservation.</summary>
public sealed record RelayReservation(bool Accepted, TimeSpan Duration, long CircuitBytes, string? Reason)
{
    public static RelayReservation Refused(string reason) => new(false, TimeSpan.Zero, 0, reason);
}

/// <summary>A relay's answer to a dial: the circuit's number, or why there is none.</summary>
public sealed record DialOutcome(uint Circuit, string? Refusal)
{
    public static DialOutcome Refused(string reason) => new(0, reason);
}
