namespace MyChips.Protocol.Peers;

/// <summary>
/// When an address that keeps failing handshakes is refused for a while. A failure is a silent close for a
/// hostile reason (bad MAC, unknown agent, wrong key, refused ticket, packet not allowed, oversized frame,
/// malformed packet, handshake timeout).
/// </summary>
public sealed record BlockListOptions
{
    /// <summary>Failures within <see cref="Window"/> that block an address; 0 turns blocking off. Default 10.</summary>
    public int FailuresToBlock { get; init; } = 10;

    /// <summary>The window failures are counted in. Default 1 minute.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a blocked address stays blocked. Default 10 minutes.</summary>
    public TimeSpan BlockFor { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Blocking turned off.</summary>
    public static BlockListOptions Disabled { get; } = new() { FailuresToBlock = 0 };
}
