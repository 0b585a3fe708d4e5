namespace MyChips.Protocol.Noise;

/// <summary>A token of a handshake pattern (spec sections 7.1 and 9.2).</summary>
public enum NoiseToken
{
    E,
    S,
    EE,
    ES,
    SE,
    SS,
    Psk,
}
