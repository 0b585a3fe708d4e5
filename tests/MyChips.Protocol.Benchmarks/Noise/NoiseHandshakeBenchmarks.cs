using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MyChips.Protocol.Noise;
using NSec.Cryptography;

namespace MyChips.Protocol.Benchmarks.Noise;

/// <summary>
/// One complete handshake, both sides (HandshakeState creation, every message written and read, Split,
/// Dispose), against the X25519 work that handshake cannot avoid, measured in the same run: the key
/// generations and DH calls through NSec (the baseline) and through libsodium directly.
/// IK and KK: 2 ephemeral generations and 8 DH calls; N: 1 generation and 2 DH calls.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class NoiseHandshakeBenchmarks
{
    private static readonly NoiseProtocol IK = NoiseProtocol.Parse("Noise_IK_25519_ChaChaPoly_BLAKE2b");
    private static readonly NoiseProtocol KK = NoiseProtocol.Parse("Noise_KK_25519_ChaChaPoly_BLAKE2b");
    private static readonly NoiseProtocol N = NoiseProtocol.Parse("Noise_N_25519_ChaChaPoly_BLAKE2b");
    private static readonly KeyAgreementAlgorithm X25519Algorithm = KeyAgreementAlgorithm.X25519;

    private readonly byte[] _initiatorPrivate = new byte[32];
    private readonly byte[] _initiatorPublic = new byte[32];
    private readonly byte[] _responderPrivate = new byte[32];
    private readonly byte[] _responderPublic = new byte[32];
    private readonly byte[] _message = new byte[256];
    private readonly byte[] _payload = new byte[256];
    private readonly byte[] _shared = new byte[32];
    private readonly byte[] _ephemeralPrivate = new byte[32];
    private readonly byte[] _ephemeralPublic = new byte[32];
    private Key? _nsecStatic;
    private PublicKey? _nsecPeer;

    [GlobalSetup]
    public void Setup()
    {
        X25519Keys.GenerateKeyPair(_initiatorPrivate, _initiatorPublic);
        X25519Keys.GenerateKeyPair(_responderPrivate, _responderPublic);
        _nsecStatic = Key.Create(X25519Algorithm);
        _nsecPeer = PublicKey.Import(X25519Algorithm, _responderPublic, KeyBlobFormat.RawPublicKey);
    }

    [GlobalCleanup]
    public void Cleanup() => _nsecStatic?.Dispose();

    [Benchmark(Description = "IK handshake, both sides"), BenchmarkCategory("IK")]
    public void IKHandshake() => Handshake(IK);

    [Benchmark(Baseline = true, Description = "NSec: 2 key generations + 8 DH"), BenchmarkCategory("IK")]
    public void IKNSec() => NSecX25519(2, 8);

    [Benchmark(Description = "libsodium: 2 key generations + 8 DH"), BenchmarkCategory("IK")]
    public void IKLibsodium() => LibsodiumX25519(2, 8);

    [Benchmark(Description = "KK handshake, both sides"), BenchmarkCategory("KK")]
    public void KKHandshake() => Handshake(KK);

    [Benchmark(Baseline = true, Description = "NSec: 2 key generations + 8 DH"), BenchmarkCategory("KK")]
    public void KKNSec() => NSecX25519(2, 8);

    [Benchmark(Description = "libsodium: 2 key generations + 8 DH"), BenchmarkCategory("KK")]
    public void KKLibsodium() => LibsodiumX25519(2, 8);

    [Benchmark(Description = "N handshake, both sides"), BenchmarkCategory("N")]
    public void NHandshake() => Handshake(N);

    [Benchmark(Baseline = true, Description = "NSec: 1 key generation + 2 DH"), BenchmarkCategory("N")]
    public void NNSec() => NSecX25519(1, 2);

    [Benchmark(Description = "libsodium: 1 key generation + 2 DH"), BenchmarkCategory("N")]
    public void NLibsodium() => LibsodiumX25519(1, 2);

    private void Handshake(NoiseProtocol protocol)
    {
        var pattern = protocol.Pattern;
        using var initiator = new HandshakeState(protocol, NoiseRole.Initiator, new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = _initiatorPrivate,
            LocalStaticPublicKey = _initiatorPublic,
            RemoteStaticPublicKey = _responderPublic,
        });
        using var responder = new HandshakeState(protocol, NoiseRole.Responder, new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = _responderPrivate,
            LocalStaticPublicKey = _responderPublic,
            RemoteStaticPublicKey = pattern.InitiatorPreMessage.Count > 0 ? _initiatorPublic : ReadOnlyMemory<byte>.Empty,
        });
        while (!initiator.IsCompleted)
        {
            var (writer, reader) = initiator.WritesNextMessage ? (initiator, responder) : (responder, initiator);
            var length = writer.WriteMessage(default, _message);
            reader.ReadMessage(_message.AsSpan(0, length), _payload);
        }
        using var initiatorTransport = initiator.Split();
        using var responderTransport = responder.Split();
    }

    private void NSecX25519(int generations, int agreements)
    {
        for (var i = 0; i < generations; i++)
        {
            using var key = Key.Create(X25519Algorithm);
            _ = key.PublicKey;
        }
        for (var i = 0; i < agreements; i++)
        {
            using var shared = X25519Algorithm.Agree(_nsecStatic!, _nsecPeer!);
        }
    }

    private void LibsodiumX25519(int generations, int agreements)
    {
        for (var i = 0; i < generations; i++)
            X25519Keys.GenerateKeyPair(_ephemeralPrivate, _ephemeralPublic);
        for (var i = 0; i < agreements; i++)
            X25519Keys.Agree(_initiatorPrivate, _responderPublic, _shared);
    }
}
