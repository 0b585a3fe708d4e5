using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>
/// A deliberately plain transcription of the Noise specification (revision 34, sections 5 and 7) for
/// the three MyCHIPs patterns over 25519_ChaChaPoly_BLAKE2b, used only as a test oracle: it checks the
/// JavaScript peer's packets independently of npm noise-protocol and of the library's own engine.
/// Not for production: no zeroing, no nonce limit, allocations everywhere.
/// </summary>
internal sealed class ReferenceNoise
{
    private const int HashLength = 64;

    // Message patterns after the pre-messages; "->" is written by the initiator.
    private static readonly Dictionary<string, string[][]> Patterns = new()
    {
        ["N"] = [["e", "es"]],
        ["KK"] = [["e", "es", "ss"], ["e", "ee", "se"]],
        ["IK"] = [["e", "es", "s", "ss"], ["e", "ee", "se"]],
    };

    private readonly bool _initiator;
    private readonly Queue<string[]> _messages;
    private readonly byte[]? _s;
    private readonly byte[]? _sPublic;
    private readonly byte[]? _fixedEphemeral;
    private byte[]? _e;
    private byte[]? _ePublic;
    private byte[]? _rs;
    private byte[]? _re;
    private byte[] _h;
    private byte[] _ck;
    private CipherState _cipher = new(null);

    private ReferenceNoise(string pattern, bool initiator, byte[]? s, byte[]? rs, byte[]? prologue, byte[]? fixedEphemeral)
    {
        _fixedEphemeral = fixedEphemeral;
        _initiator = initiator;
        _messages = new Queue<string[]>(Patterns[pattern]);
        _s = s;
        _sPublic = s is null ? null : PublicKey(s);
        _rs = rs;
        var name = Encoding.ASCII.GetBytes($"Noise_{pattern}_25519_ChaChaPoly_BLAKE2b");
        _h = name.Length <= HashLength ? [.. name, .. new byte[HashLength - name.Length]] : Hash(name);
        _ck = _h;
        MixHash(prologue ?? []); // MyCHIPs: the empty prologue
        // Pre-messages: N and IK "<- s"; KK "-> s" then "<- s".
        if (pattern == "KK") MixHash(initiator ? _sPublic! : _rs!);
        MixHash(initiator ? _rs! : _sPublic!);
    }

    public static ReferenceNoise Initiator(string pattern, byte[]? s, byte[] rs, byte[]? prologue = null, byte[]? fixedEphemeral = null) =>
        new(pattern, true, s, rs, prologue, fixedEphemeral);

    public static ReferenceNoise Responder(string pattern, byte[] s, byte[]? rs, byte[]? prologue = null, byte[]? fixedEphemeral = null) =>
        new(pattern, false, s, rs, prologue, fixedEphemeral);

    public byte[] HandshakeHash => _h;

    public byte[]? RemoteStatic => _rs;

    public byte[] WriteMessage(byte[] payload)
    {
        var output = new List<byte>();
        foreach (var token in _messages.Dequeue())
        {
            switch (token)
            {
                case "e":
                    _e = _fixedEphemeral ?? RandomNumberGenerator.GetBytes(32);
                    _ePublic = PublicKey(_e);
                    output.AddRange(_ePublic);
                    MixHash(_ePublic);
                    break;
                case "s":
                    output.AddRange(EncryptAndHash(_sPublic!));
                    break;
                default:
                    MixKey(Dh(token));
                    break;
            }
        }
        output.AddRange(EncryptAndHash(payload));
        return [.. output];
    }

    public byte[] ReadMessage(byte[] message)
    {
        var offset = 0;
        foreach (var token in _messages.Dequeue())
        {
            switch (token)
            {
                case "e":
                    _re = message[offset..(offset + 32)];
                    offset += 32;
                    MixHash(_re);
                    break;
                case "s":
                    var length = _cipher.HasKey ? 48 : 32;
                    _rs = DecryptAndHash(message[offset..(offset + length)]);
                    offset += length;
                    break;
                default:
                    MixKey(Dh(token));
                    break;
            }
        }
        return DecryptAndHash(message[offset..]);
    }

    /// <summary>The spec's Split: (c1, c2); the spec has the initiator send with c1.</summary>
    public (CipherState First, CipherState Second) Split()
    {
        var (k1, k2) = Hkdf(_ck, []);
        return (new CipherState(k1[..32]), new CipherState(k2[..32]));
    }

    // "es" is DH(initiator e, responder s), "se" is DH(initiator s, responder e), as each side computes it.
    private byte[] Dh(string token) => token switch
    {
        "ee" => Agree(_e!, _re!),
        "es" => _initiator ? Agree(_e!, _rs!) : Agree(_s!, _re!),
        "se" => _initiator ? Agree(_s!, _re!) : Agree(_e!, _rs!),
        "ss" => Agree(_s!, _rs!),
        _ => throw new InvalidOperationException(token),
    };

    private void MixHash(byte[] data) => _h = Hash([.. _h, .. data]);

    private void MixKey(byte[] inputKeyMaterial)
    {
        var (ck, k) = Hkdf(_ck, inputKeyMaterial);
        _ck = ck;
        _cipher = new CipherState(k[..32]);
    }

    private byte[] EncryptAndHash(byte[] plaintext)
    {
        var ciphertext = _cipher.Encrypt(plaintext, _h);
        MixHash(ciphertext);
        return ciphertext;
    }

    private byte[] DecryptAndHash(byte[] ciphertext)
    {
        var plaintext = _cipher.Decrypt(ciphertext, _h);
        MixHash(ciphertext);
        return plaintext;
    }

    private static byte[] PublicKey(byte[] privateKey) => new X25519PrivateKeyParameters(privateKey).GeneratePublicKey().GetEncoded();

    private static byte[] Agree(byte[] privateKey, byte[] publicKey)
    {
        var shared = new byte[32];
        new X25519PrivateKeyParameters(privateKey).GenerateSecret(new X25519PublicKeyParameters(publicKey), shared, 0);
        return shared;
    }

    private static byte[] Hash(byte[] data)
    {
        var digest = new Blake2bDigest(512);
        digest.BlockUpdate(data, 0, data.Length);
        var output = new byte[HashLength];
        digest.DoFinal(output, 0);
        return output;
    }

    private static byte[] Hmac(byte[] key, byte[] data)
    {
        var hmac = new HMac(new Blake2bDigest(512)); // HMAC over BLAKE2b's 128-byte block, as the spec defines it
        hmac.Init(new KeyParameter(key));
        hmac.BlockUpdate(data, 0, data.Length);
        var output = new byte[HashLength];
        hmac.DoFinal(output, 0);
        return output;
    }

    private static (byte[], byte[]) Hkdf(byte[] chainingKey, byte[] inputKeyMaterial)
    {
        var tempKey = Hmac(chainingKey, inputKeyMaterial);
        var output1 = Hmac(tempKey, [0x01]);
        var output2 = Hmac(tempKey, [.. output1, 0x02]);
        return (output1, output2);
    }

    /// <summary>A Noise CipherState: ChaCha20-Poly1305 with the nonce as 4 zero bytes and a 64-bit little-endian counter.</summary>
    internal sealed class CipherState(byte[]? key)
    {
        private ulong _nonce;

        public bool HasKey => key is not null;

        public byte[] Encrypt(byte[] plaintext, byte[]? associatedData = null)
        {
            if (key is null) return plaintext;
            var output = new byte[plaintext.Length + 16];
            using var aead = new ChaCha20Poly1305(key);
            aead.Encrypt(Nonce(), plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), associatedData);
            _nonce++;
            return output;
        }

        /// <exception cref="AuthenticationTagMismatchException">The message does not authenticate under this key and nonce.</exception>
        public byte[] Decrypt(byte[] ciphertext, byte[]? associatedData = null)
        {
            if (key is null) return ciphertext;
            var output = new byte[ciphertext.Length - 16];
            using var aead = new ChaCha20Poly1305(key);
            aead.Decrypt(Nonce(), ciphertext.AsSpan(0, output.Length), ciphertext.AsSpan(output.Length), output, associatedData);
            _nonce++;
            return output;
        }

        /// <summary>The same key with the nonce back at 0.</summary>
        public CipherState Restarted() => new(key);

        private byte[] Nonce()
        {
            var nonce = new byte[12];
            BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), _nonce);
            return nonce;
        }
    }
}
