using System.Security.Cryptography;

namespace MyChips.Protocol.Noise.Primitives;

/// <summary>
/// BLAKE2b-512 by libsodium. Its state wants 64-byte alignment, so it lives inside a small pinned array
/// (no native allocation to leak if the owner is never disposed).
/// </summary>
internal sealed unsafe class Blake2bHash : NoiseHash
{
    private const int Alignment = 64;
    private readonly byte[] _buffer;
    private readonly int _offset;

    public Blake2bHash()
    {
        Sodium.EnsureInitialized();
        _buffer = GC.AllocateArray<byte>(Sodium.Blake2bStateBytes + Alignment, pinned: true);
        fixed (byte* start = _buffer)
        {
            var address = (nuint)start;
            _offset = (int)((Alignment - (address % Alignment)) % Alignment);
        }
        Reset();
    }

    public override string Name => "BLAKE2b";

    public override int HashLength => 64;

    public override int BlockLength => 128;

    private byte* State
    {
        get
        {
            fixed (byte* start = _buffer)
                return start + _offset; // the array is pinned, so the address stays valid.
        }
    }

    public override void Append(ReadOnlySpan<byte> data)
    {
        fixed (byte* input = data)
        {
            Sodium.crypto_generichash_blake2b_update(State, input, (ulong)data.Length);
        }
    }

    public override void Finish(Span<byte> output)
    {
        fixed (byte* digest = output)
        {
            Sodium.crypto_generichash_blake2b_final(State, digest, (nuint)HashLength);
        }
        Reset();
    }

    public override void Dispose() => CryptographicOperations.ZeroMemory(_buffer);

    private void Reset() => Sodium.crypto_generichash_blake2b_init(State, null, 0, (nuint)HashLength);
}
