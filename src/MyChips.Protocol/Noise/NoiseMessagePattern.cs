namespace MyChips.Protocol.Noise;

/// <summary>One message of a handshake pattern: who sends it and the tokens it carries, in order.</summary>
public sealed class NoiseMessagePattern(NoiseRole sender, IReadOnlyList<NoiseToken> tokens)
{
    public NoiseRole Sender { get; } = sender;

    public IReadOnlyList<NoiseToken> Tokens { get; } = tokens;

    public override string ToString() =>
        (Sender == NoiseRole.Initiator ? "-> " : "<- ") + string.Join(", ", Tokens.Select(t => t.ToString().ToLowerInvariant()));
}
