using MyChips.Protocol.Ciyam.Files;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>The blob two peers exchange when nothing else is asked for: a blob whose payload is <c>hello</c>.</summary>
public static class HelloBlob
{
    public static byte[] Stored { get; } = StoredFile.Compose(StoredFile.Blob, "hello"u8);

    /// <summary><c>cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef</c>.</summary>
    public static string Hash { get; } = StoredFile.HashOf(Stored);
}
