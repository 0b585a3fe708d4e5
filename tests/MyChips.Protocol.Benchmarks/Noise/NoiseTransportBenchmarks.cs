using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using MyChips.Protocol.Noise;
using NSec.Cryptography;

namespace MyChips.Protocol.Benchmarks.Noise;

/// <summary>
/// One transport message encrypted by one side and decrypted by the other, against NSec's
/// ChaCha20-Poly1305 sealing and opening the same bytes (the baseline, same run). 65536-byte messages
/// exceed the strict 65535-byte limit, so the transports use the JavaScript-compatible profile; the
/// code path is the same.
/// </summary>
[MemoryDiagnoser]
public class NoiseTransportBenchmarks
{
    private NoiseTransport? _sender;
    private NoiseTransport? _receiver;
    private Key? _nsecKey;
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _decrypted = [];
    private ulong _nonce;

    [Params(256, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var protocol = NoiseProtocol.Parse("Noise_NN_25519_ChaChaPoly_BLAKE2b");
        using var initiator = new HandshakeState(protocol, NoiseRole.Initiator, new NoiseHandshakeOptions { Profile = NoiseProfile.JavaScriptCompatible });
        using var responder = new HandshakeState(protocol, NoiseRole.Responder, new NoiseHandshakeOptions { Profile = NoiseProfile.JavaScriptCompatible });
        var buffer = new byte[128];
        var length = initiator.WriteMessage(default, buffer);
        responder.ReadMessage(buffer.AsSpan(0, length), buffer.AsSpan(64));
        length = responder.WriteMessage(default, buffer);
        initiator.ReadMessage(buffer.AsSpan(0, length), buffer.AsSpan(64));
        _sender = initiator.Split();
        _receiver = responder.Split();

        _nsecKey = Key.Create(AeadAlgorithm.ChaCha20Poly1305);
        _plaintext = new byte[Size];
        Random.Shared.NextBytes(_plaintext);
        _ciphertext = new byte[Size + NoiseTransport.TagLength];
        _decrypted = new byte[Size];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender?.Dispose();
        _receiver?.Dispose();
        _nsecKey?.Dispose();
    }

    [Benchmark(Description = "NoiseTransport Encrypt + Decrypt")]
    public int Noise()
    {
        var length = _sender!.Encrypt(_plaintext, _ciphertext);
        return _receiver!.Decrypt(_ciphertext.AsSpan(0, length), _decrypted);
    }

    [Benchmark(Baseline = true, Description = "NSec ChaCha20Poly1305 Encrypt + Decrypt")]
    public bool NSec()
    {
        Span<byte> nonce = stackalloc byte[12];
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], _nonce++);
        var algorithm = AeadAlgorithm.ChaCha20Poly1305;
        algorithm.Encrypt(_nsecKey!, nonce, default, _plaintext, _ciphertext);
        return algorithm.Decrypt(_nsecKey!, nonce, default, _ciphertext, _decrypted);
    }
}
