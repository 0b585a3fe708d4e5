using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Ciyam.Peer;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>The listener's periodic chk, with a fresh nonce, of a file it earlier put to the peer.</summary>
public sealed class ProofOfStorageTests
{
    // Moving the clock past a proof's due time must not time out the read that waits for the next command.
    private static readonly Wire.CiyamTimeouts Patient = new() { Request = TimeSpan.FromHours(1), Greeting = TimeSpan.FromHours(1) };

    [Fact]
    public async Task A_peer_that_kept_the_file_passes_each_proof_when_it_falls_due()
    {
        var clock = new FakeTimeProvider();
        var options = new CiyamPeerOptions { Time = clock, ChooseExtra = () => CiyamExtra.None, ProofInterval = TimeSpan.FromMinutes(1), Timeouts = Patient };
        await using var node = new TestListener(options);
        var given = node.Files.AddBlob(5);
        using var mine = new TempArea();
        await using var initiator = await CiyamInitiator.ConnectAsync("127.0.0.1", node.Port, mine.Area, options);
        await initiator.GreetAsync();
        await initiator.PutAsync(HelloBlob.Hash);
        await initiator.GetAsync(HelloBlob.Hash);
        Assert.Equal([given], initiator.Received);
        var session = await node.Started.Task;
        var received = session.Traffic.FilesReceived;

        clock.Advance(TimeSpan.FromMinutes(2));
        await initiator.PutAsync(HelloBlob.Hash);

        // The put was answered with a proof request in place of a get: one file in, none fetched back.
        Assert.Equal(received + 1, session.Traffic.FilesReceived);
        Assert.Empty(node.Listener.FailedProofs);
        Assert.False(session.Ended.IsCompleted);
    }

    [Fact]
    public async Task A_peer_that_dropped_the_file_is_recorded_and_dropped()
    {
        var clock = new FakeTimeProvider();
        var options = new CiyamPeerOptions { Time = clock, ChooseExtra = () => CiyamExtra.None, ProofInterval = TimeSpan.FromMinutes(1), Timeouts = Patient };
        await using var node = new TestListener(options);
        var given = node.Files.AddBlob(5);
        using var mine = new TempArea();
        await using var initiator = await CiyamInitiator.ConnectAsync("127.0.0.1", node.Port, mine.Area, options);
        await initiator.GreetAsync();
        await initiator.PutAsync(HelloBlob.Hash);
        await initiator.GetAsync(HelloBlob.Hash);
        File.Delete(Path.Combine(mine.Folder, given));

        clock.Advance(TimeSpan.FromMinutes(2));
        var refused = await Assert.ThrowsAsync<Wire.CiyamProtocolException>(() => initiator.PutAsync(HelloBlob.Hash));

        Assert.Contains("unexpected invalid chk response: (not found)", refused.Message, StringComparison.Ordinal);
        var failed = Assert.Single(node.Listener.FailedProofs);
        Assert.Equal(given, failed.Hash);
        Assert.Equal(clock.GetUtcNow(), failed.At);
        Assert.Contains("invalid chk response", await (await node.Started.Task).Ended.WaitAsync(LineClient.Patience), StringComparison.Ordinal);
    }
}
