using System.Net;
using System.Security.Cryptography;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Peer;
using MyChips.Protocol.Ciyam.Storage;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>A file kept sealed by another peer for its owner, and fetched and opened by the owner later.</summary>
public sealed class KeptFilesTests
{
    private const string Password = "dummy";

    [Fact]
    public async Task The_owner_pushes_a_file_the_keeper_seals_it_and_the_owner_later_fetches_and_opens_it()
    {
        using var keeperFiles = new TempArea();
        var kept = new KeptFiles(Path.Combine(keeperFiles.Folder, "kept.txt"));
        var options = new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None };
        await using var keeper = new CiyamListener(new IPEndPoint(IPAddress.Loopback, 0), keeperFiles.Area, options, kept);
        keeper.Start();

        // The owner: the content and its push request.
        using var ownerFiles = new TempArea();
        var content = ownerFiles.AddBlob(42, 50_000);
        var plaintext = ownerFiles.Area.Read(content)!;
        var push = StorageRequest.Push(content, Password).ToStored();
        var pushHash = StoredFile.HashOf(push);
        ownerFiles.Area.Store(pushHash, push);

        await using (var owner = await CiyamInitiator.ConnectAsync("127.0.0.1", keeper.LocalEndPoint.Port, ownerFiles.Area, options))
        {
            await owner.GreetAsync();
            await owner.PutAsync(pushHash);
            await owner.ByeAsync();
        }

        // The keeper holds the request and a sealed file, never the content itself.
        var entry = kept.Find(content);
        Assert.NotNull(entry);
        Assert.False(keeperFiles.Area.Contains(content));
        Assert.All(Directory.GetFiles(keeperFiles.Folder), f => Assert.False(File.ReadAllBytes(f).AsSpan().IndexOf(plaintext.AsSpan(1, 64)) >= 0));
        var sealedFile = keeperFiles.Area.Read(entry.SealedHash)!;
        Assert.Equal(StoredFile.Blob | StoredFile.EncryptedFlag, sealedFile[0]);
        Assert.Equal(1, new KeptFiles(Path.Combine(keeperFiles.Folder, "kept.txt")).Count);

        // Later the owner, with only the content hash and the password, asks for it back.
        using var laterFiles = new TempArea();
        await using var later = await CiyamInitiator.ConnectAsync("127.0.0.1", keeper.LocalEndPoint.Port, laterFiles.Area, options);
        await later.GreetAsync();
        Assert.Null(await later.CheckAsync(content));
        var pull = later.Received.Select(h => StorageRequest.TryRead(laterFiles.Area.Read(h)!)).Single(r => r is { IsPull: true })!;
        Assert.Equal(content, pull.TargetHash);
        await later.PutAsync(HelloBlob.Hash);
        await later.GetAsync(pull.SourceHash);

        Assert.Equal(plaintext, pull.Open(laterFiles.Area.Read(pull.SourceHash)!, Password));
        Assert.Throws<AuthenticationTagMismatchException>(() => pull.Open(laterFiles.Area.Read(pull.SourceHash)!, "wrong"));
    }

    [Fact]
    public void A_request_reads_back_as_it_was_written_and_other_blobs_are_no_request()
    {
        var push = StorageRequest.Push(HelloBlob.Hash, Password);
        var pull = push with { TargetHash = HelloBlob.Hash };

        Assert.Equal(push.SourceHash, StorageRequest.TryRead(push.ToStored())!.SourceHash);
        Assert.Equal(pull.TargetHash, StorageRequest.TryRead(pull.ToStored())!.TargetHash);
        Assert.StartsWith("md:raw\npk:", System.Text.Encoding.ASCII.GetString(push.ToStored(), 1, 10), StringComparison.Ordinal);
        Assert.Null(StorageRequest.TryRead(HelloBlob.Stored));
        Assert.Null(StorageRequest.TryRead(StoredFile.Compose(StoredFile.Blob, "md:raw\npk:AAAA\nsh:AAAA"u8)));
    }
}

/// <summary>CIYAM's documented storage sessions, with this node's keys and so its own hashes, replayed line for line.</summary>
public sealed class KeptFilesTranscriptTests
{
    [Fact]
    public async Task The_documented_push_and_pull_sessions_have_the_same_lines_with_this_nodes_hashes()
    {
        using var keeperFiles = new TempArea();
        var kept = new KeptFiles(Path.Combine(keeperFiles.Folder, "kept.txt"));
        var choices = new Queue<CiyamExtra>([CiyamExtra.None, CiyamExtra.None, CiyamExtra.Pip]);
        var options = new CiyamPeerOptions { ChooseExtra = () => choices.Dequeue() };
        await using var keeper = new CiyamListener(new IPEndPoint(IPAddress.Loopback, 0), keeperFiles.Area, options, kept);
        keeper.Start();
        var content = StoredFile.Compose(StoredFile.Blob, new byte[40_000]);
        var contentHash = StoredFile.HashOf(content);
        var push = StorageRequest.Push(contentHash, "dummy").ToStored();
        var pushHash = StoredFile.HashOf(push);

        // > put <push request>  ->  get <content>
        await using (var owner = await LineClient.ConnectAsync(keeper.LocalEndPoint.Port))
        {
            owner.Files[contentHash] = content;
            owner.Files[pushHash] = push;
            await owner.GreetingAsync();
            Assert.Equal(["(not found)", "put " + HelloBlob.Hash], await owner.CommandAsync("chk hello"));
            Assert.Equal(["get " + contentHash], await owner.CommandAsync("put " + pushHash));
            await owner.SendAsync("bye");
        }

        // > chk <content>  ->  (not found), put <pull answer>; then put hello -> get hello; get <sealed> -> pip
        await using var later = await LineClient.ConnectAsync(keeper.LocalEndPoint.Port);
        await later.GreetingAsync();
        Assert.Equal(["(not found)", "put " + HelloBlob.Hash], await later.CommandAsync("chk hello"));
        var pullShown = await later.CommandAsync("chk " + contentHash);
        Assert.Equal("(not found)", pullShown[0]);
        var pull = StorageRequest.TryRead(later.Files[pullShown[1][4..]])!;
        Assert.Equal(contentHash, pull.TargetHash);
        Assert.Equal(["get " + HelloBlob.Hash], await later.CommandAsync("put " + HelloBlob.Hash));
        Assert.Equal(["pip 127.0.0.1"], await later.CommandAsync("get " + pull.SourceHash));
        Assert.Equal(content, pull.Open(later.Files[pull.SourceHash], "dummy"));
    }
}
