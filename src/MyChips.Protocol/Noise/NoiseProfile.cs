namespace MyChips.Protocol.Noise;

/// <summary>
/// Wire rules that differ between the Noise spec and the deployed MyCHIPs JavaScript peer
/// (npm noise-protocol 3.0.2; see shared/mychips-wire.md items 3 and 4). Both options are off in
/// <see cref="Strict"/>, the default.
/// </summary>
public sealed record NoiseProfile
{
    /// <summary>The spec's limit on every Noise message, handshake or transport, tag included.</summary>
    public const int SpecMaxMessageLength = 65535;

    /// <summary>The spec's rules: initiator sends with the first Split key; messages at most 65535 bytes.</summary>
    public static NoiseProfile Strict { get; } = new();

    /// <summary>What npm noise-protocol 3.0.2 does: the key swap below and messages over 65535 bytes.</summary>
    public static NoiseProfile JavaScriptCompatible { get; } = new() { SwapTransportKeys = true, AllowLargeMessages = true };

    /// <summary>
    /// The party that writes the last handshake message sends with the first Split key (for two-message
    /// patterns the responder does, against the spec). Patterns whose last message is the initiator's are unaffected.
    /// </summary>
    public bool SwapTransportKeys { get; init; }

    /// <summary>Lift the 65535-byte limit on messages.</summary>
    public bool AllowLargeMessages { get; init; }

    /// <summary>The longest message this profile writes or reads.</summary>
    public int MaxMessageLength => AllowLargeMessages ? Array.MaxLength : SpecMaxMessageLength;
}
