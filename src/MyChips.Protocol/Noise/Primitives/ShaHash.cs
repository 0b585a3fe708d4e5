using System.Security.Cryptography;

namespace MyChips.Protocol.Noise.Primitives;

/// <summary>SHA-256 and SHA-512 from the BCL.</summary>
internal sealed class ShaHash(HashAlgorithmName algorithm, string name, int hashLength, int blockLength) : NoiseHash
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);

    public override string Name => name;

    public override int HashLength => hashLength;

    public override int BlockLength => blockLength;

    public override void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    public override void Finish(Span<byte> output) => _hash.GetHashAndReset(output);

    public override void Dispose() => _hash.Dispose();
}
