using MyChips.Protocol.Connections;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Peers;

/// <summary>
/// How a node's options map onto the runtime's connection options. Noise: the driver builds every handshake from the
/// spec: N (a prelude naming the initiator), then KK; or IK; then transport. Raw mode runs the same packets in the
/// clear. The spec's handshake and idle timeouts, with the node's values; frame and write limits; unknown packet
/// types skipped in the compatible modes, as the JavaScript peer skips them.
/// </summary>
internal static class PeerNoise
{
    public static ConnectionOptions Options(PeerNodeOptions options, TimeProvider? time = null, Action<FrameTrace>? observer = null) => new()
    {
        LocalStaticPrivateKey = options.LocalKey.NoisePrivateKey.ToArray(),
        LocalStaticPublicKey = options.LocalKey.NoisePublicKey.ToArray(),
        Encrypted = options.Mode != PeerMode.Raw,
        NoiseProfile = options.Mode == PeerMode.MyChipsJs ? NoiseProfile.JavaScriptCompatible : NoiseProfile.Strict,
        Timeouts = new Dictionary<string, TimeSpan> { ["handshake"] = options.HandshakeTimeout, ["idle"] = options.IdleTimeout },
        MaxFrameLength = options.EffectiveMaxFrameLength,
        SkipUnknownPackets = options.Mode != PeerMode.Strict,
        WriteStallTimeout = options.Limits.WriteStallTimeout,
        CloseDrainTimeout = options.Limits.CloseDrainTimeout,
        CloseDrainBytes = options.Limits.CloseDrainBytes,
        // The node admits connections itself (PeerLimits); the engine only runs them.
        MaxConnections = int.MaxValue,
        TimeProvider = time ?? TimeProvider.System,
        FrameObserver = observer,
    };
}
