using MyChips.Protocol.Noise;
using MyChips.Protocol.Noise.Primitives;

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

    [Fact]
    public void Ten_thousand_transports_cost_no_memory_mappings_and_under_a_kilobyte_each()
    {
        // NSec keys would take 4 mappings each (Linux allows 65,530 per process); these take none.
        const int count = 10_000;
        var key = new byte[32];
        var mappingsBefore = CountMappings();
        var bytesBefore = GC.GetTotalMemory(forceFullCollection: true);
        var transports = new NoiseTransport[count];
        for (var i = 0; i < count; i++)
        {
            var send = new CipherState(ChaChaPolyCipher.Instance);
            var receive = new CipherState(ChaChaPolyCipher.Instance);
            key[0] = (byte)i;
            send.InitializeKey(key);
            receive.InitializeKey(key);
            transports[i] = new NoiseTransport(send, receive, NoiseProfile.SpecMaxMessageLength);
        }
        var bytesPerTransport = (GC.GetTotalMemory(forceFullCollection: true) - bytesBefore) / count;
        var newMappings = CountMappings() - mappingsBefore;
        foreach (var transport in transports)
            transport.Dispose();

        Assert.InRange(bytesPerTransport, 1, 1024);
        Assert.InRange(newMappings, int.MinValue, 200); // the GC may map a few regions; NSec would need 80,000
    }

    private static int CountMappings() =>
        File.Exists("/proc/self/maps") ? File.ReadLines("/proc/self/maps").Count() : 0;

    private static void RoundTrip(NoisePair pair, byte[] plaintext, byte[] ciphertext, byte[] decrypted)
    {
        var length = pair.InitiatorTransport!.Encrypt(plaintext, ciphertext);
        pair.ResponderTransport!.Decrypt(ciphertext.AsSpan(0, length), decrypted);
    }
}
