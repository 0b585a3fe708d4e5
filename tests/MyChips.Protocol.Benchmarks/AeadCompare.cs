using System.Diagnostics;
using System.Security.Cryptography;
using MyChips.Protocol.Noise.Primitives;

namespace MyChips.Protocol.Benchmarks;

/// <summary>
/// What the AEAD of one T message costs: libsodium (the engine's backend) against .NET's OpenSSL-backed
/// ChaCha20Poly1305, encrypt plus decrypt of 250 bytes, wall time per message on this thread.
/// </summary>
public static class AeadCompare
{
    public static void Run()
    {
        var key = GC.AllocateArray<byte>(32, pinned: true);
        RandomNumberGenerator.Fill(key);
        var plain = new byte[250];
        var cipher = new byte[266];
        var back = new byte[250];
        using var ossl = new ChaCha20Poly1305(key);
        Span<byte> nonce = stackalloc byte[12];
        for (var round = 0; round < 3; round++)
        {
            const int n = 200_000;
            var sw = Stopwatch.StartNew();
            for (ulong i = 0; i < n; i++)
            {
                ChaChaPolyCipher.Instance.Encrypt(key, i, default, plain, cipher);
                ChaChaPolyCipher.Instance.Decrypt(key, i, default, cipher, back);
            }
            var sodium = sw.Elapsed.TotalMicroseconds / n;
            sw.Restart();
            for (ulong i = 0; i < n; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], i);
                ossl.Encrypt(nonce, plain, cipher.AsSpan(0, 250), cipher.AsSpan(250));
                ossl.Decrypt(nonce, cipher.AsSpan(0, 250), cipher.AsSpan(250), back);
            }
            var openssl = sw.Elapsed.TotalMicroseconds / n;
            Console.WriteLine($"250 B encrypt+decrypt: libsodium {sodium:F3} us, OpenSSL (System.Security.Cryptography) {openssl:F3} us");
        }
    }
}
