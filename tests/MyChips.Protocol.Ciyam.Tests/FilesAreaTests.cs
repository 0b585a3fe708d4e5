using System.Security.Cryptography;
using System.Text;
using MyChips.Protocol.Ciyam.Files;

namespace MyChips.Protocol.Ciyam.Tests;

public sealed class FilesAreaTests : IDisposable
{
    // SHA-256 of 0x01 followed by "hello": the hello blob of the seed's transcripts.
    private const string HelloHash = "cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef";
    private static readonly byte[] Hello = StoredFile.Compose(StoredFile.Blob, "hello"u8);
    private readonly string _folder = Directory.CreateTempSubdirectory("ciyam-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_file_is_named_by_the_hash_of_its_type_byte_and_content()
    {
        Assert.Equal(HelloHash, StoredFile.HashOf(Hello));
        Assert.True(StoredFile.IsHash(HelloHash));
        Assert.False(StoredFile.IsHash(HelloHash.ToUpperInvariant()));
        Assert.False(StoredFile.IsHash("bc.tag"));
    }

    [Fact]
    public void The_proof_of_storage_is_the_hash_of_the_nonce_then_the_stored_bytes()
    {
        var nonce = "9b2c3f6e-0d4a-4f1e-8a7b-5c6d7e8f9a0b";
        var expected = Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes(nonce), .. Hello]));
        var area = new FilesArea(_folder);
        area.Store(HelloHash, Hello);

        Assert.Equal(expected, area.Prove(HelloHash, nonce));
        Assert.NotEqual(area.Prove(HelloHash, nonce), area.Prove(HelloHash, nonce + "x"));
        Assert.Null(area.Prove(new string('0', 64), nonce));
    }

    [Fact]
    public void A_file_is_kept_once_under_its_hash_and_survives_a_new_area_on_the_same_folder()
    {
        var area = new FilesArea(_folder);

        Assert.Equal(StoreResult.Stored, area.Store(HelloHash, Hello));
        Assert.Equal(StoreResult.AlreadyStored, area.Store(HelloHash, Hello));

        var again = new FilesArea(_folder);
        Assert.Equal((1, (long)Hello.Length), (again.Count, again.TotalBytes));
        Assert.Equal(Hello, again.Read(HelloHash));
    }

    [Fact]
    public void Bytes_that_do_not_hash_to_their_name_are_dropped_unwritten()
    {
        var area = new FilesArea(_folder);

        Assert.Equal(StoreResult.HashMismatch, area.Store(HelloHash, StoredFile.Compose(StoredFile.Blob, "hellO"u8)));
        Assert.Equal(StoreResult.HashMismatch, area.Store("not-a-hash", Hello));
        Assert.Empty(Directory.EnumerateFiles(_folder));
    }

    [Fact]
    public void The_area_is_bounded_in_file_size_count_and_total_bytes()
    {
        var area = new FilesArea(_folder, new FilesAreaLimits { MaxFileBytes = 8, MaxFiles = 2, MaxTotalBytes = 12 });
        byte[] Blob(string text) => StoredFile.Compose(StoredFile.Blob, Encoding.ASCII.GetBytes(text));
        void Store(StoreResult expected, byte[] stored) => Assert.Equal(expected, area.Store(StoredFile.HashOf(stored), stored));

        Store(StoreResult.TooLarge, Blob("12345678"));   // 9 bytes stored
        Store(StoreResult.Stored, Blob("1234567"));      // 8
        Store(StoreResult.AreaFull, Blob("12345"));      // 8 + 6 > 12 bytes
        Store(StoreResult.Stored, Blob("123"));          // 8 + 4 = 12
        Store(StoreResult.AreaFull, Blob("1"));          // a third file
        Assert.Equal((2, 12L), (area.Count, area.TotalBytes));
    }

    [Fact]
    public void What_an_interrupted_write_left_is_removed_and_not_counted()
    {
        File.WriteAllBytes(Path.Combine(_folder, HelloHash + ".partial"), Hello.AsSpan(0, 3).ToArray());

        var area = new FilesArea(_folder);

        Assert.Equal(0, area.Count);
        Assert.False(area.Contains(HelloHash));
        Assert.Empty(Directory.EnumerateFiles(_folder));
    }
}
