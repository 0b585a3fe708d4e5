using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>Transport messages allocate nothing, and a transport stays small (no NSec keys, no native memory).</summary>
public class TransportAllocationTests
{
    [Fact]
    public void Encrypt_and_decrypt_allocate_nothing()
    {
        using var pair = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b").Complete();
        var plaintext = new byte[256];
        var ciphertext = new byte[256 + NoiseTransport.TagLength];
        var decrypted = new byte[256];
        RoundTrip(pair, plaintext, ciphertext, decrypted); // warm up (JIT, static initialisers)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            RoundTrip(pair, plaintext, ciphertext, decrypted);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_transport_holds_well_under_a_kilobyte()
    {
        using var pair = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b");
        var buffer = new byte[256];
        var length = pair.Initiator.WriteMessage(default, buffer);
        pair.Responder.ReadMessage(buffer.AsSpan(0, length), buffer.AsSpan(128));
        length = pair.Responder.WriteMessage(default, buffer);
        pair.Initiator.ReadMessage(buffer.AsSpan(0, length), buffer.AsSpan(128));

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var transport = pair.Initiator.Split();
        var transportBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(transportBytes, 1, 1024);
    }

    [Fact]
    public void TryDecrypt_and_the_responder_direction_allocate_nothing()
    {
        using var pair = new NoisePair("Noise_IK_25519_ChaChaPoly_BLAKE2b").Complete();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Span<byte> message = stackalloc byte[64];
        Span<byte> plain = stackalloc byte[48];
        for (var i = 0; i < 10; i++)
        {
            var length = pair.ResponderTransport!.Encrypt(plain, message);
            Assert.True(pair.InitiatorTransport!.TryDecrypt(message[..length], plain, out _));
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void RoundTrip(NoisePair pair, byte[] plaintext, byte[] ciphertext, byte[] decrypted)
    {
        var length = pair.InitiatorTransport!.Encrypt(plaintext, ciphertext);
        pair.ResponderTransport!.Decrypt(ciphertext.AsSpan(0, length), decrypted);
    }
}
