namespace MyChips.Protocol.Noise;

/// <summary>Which side of a handshake this party plays: the initiator writes the first message.</summary>
public enum NoiseRole
{
    Initiator,
    Responder,
}
