using Org.BouncyCastle.Crypto.Digests;

namespace MyChips.Protocol.Noise.Primitives;

/// <summary>BLAKE2s-256 from BouncyCastle (libsodium and NSec have no BLAKE2s).</summary>
internal sealed class Blake2sHash : NoiseHash
{
    private readonly Blake2sDigest _digest = new(256);

    public override string Name => "BLAKE2s";

    public override int HashLength => 32;

    public override int BlockLength => 64;

    public override void Append(ReadOnlySpan<byte> data) => _digest.BlockUpdate(data);

    public override void Finish(Span<byte> output) => _digest.DoFinal(output);

    public override void Dispose() => _digest.Reset();
}
