using MyChips.Protocol.Ciyam.Peer;
using MyChips.Protocol.Testing.Tls;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>Two peers over TCP: files both ways, each side sending as much as it receives; the same over TLS.</summary>
public sealed class ExchangeTests
{
    private const int FileSize = 20_000;

    [Fact]
    public async Task Two_peers_exchange_their_files_and_neither_gets_ahead_by_more_than_a_turn()
    {
        using var mine = new TempArea();
        var myFiles = Enumerable.Range(1, 4).Select(i => mine.AddBlob(i, FileSize)).ToList();
        // The listener asks for the odd ones itself; the initiator puts what the listener still lacks.
        var options = new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None, Wanted = [myFiles[1], myFiles[3]] };
        await using var node = new TestListener(options);
        var theirFiles = Enumerable.Range(11, 4).Select(i => node.Files.AddBlob(i, FileSize)).ToList();
        var file = FileSize + 1;

        await using var initiator = await CiyamInitiator.ConnectAsync("127.0.0.1", node.Port, mine.Area, options);
        await initiator.GreetAsync();
        var balances = new List<long>();
        for (var turn = 0; turn < 2; turn++)
        {
            await initiator.PutAsync(myFiles.First(h => !node.Files.Area.Contains(h)));
            Assert.InRange(Math.Abs(initiator.Traffic.BytesSent - initiator.Traffic.BytesReceived), 0, 2 * file);
            await initiator.GetAsync(theirFiles.First(h => !mine.Area.Contains(h)));
            balances.Add(initiator.Traffic.BytesSent - initiator.Traffic.BytesReceived);
        }

        // After each put-get pair the bytes each way are equal: within one file of each other.
        Assert.All(balances, b => Assert.InRange(Math.Abs(b), 0, file));
        Assert.All(myFiles, h => Assert.True(node.Files.Area.Contains(h)));
        Assert.Equal(theirFiles.Order(), theirFiles.Where(mine.Area.Contains).Order());
        var session = await node.Started.Task;
        Assert.Equal(initiator.Traffic.BytesSent, session.Traffic.BytesReceived);
        Assert.Equal(initiator.Traffic.BytesReceived, session.Traffic.BytesSent);
        Assert.Equal(4L * file + HelloBlob.Stored.Length, initiator.Traffic.BytesSent);
        await initiator.ByeAsync();
        Assert.Equal("bye", await session.Ended.WaitAsync(LineClient.Patience));
    }

    [Fact]
    public async Task After_tls_the_session_runs_over_TLS_with_the_listeners_self_signed_certificate()
    {
        using var certificate = TestCertificates.SelfSigned("ciyam-test");
        await using var node = new TestListener(new CiyamPeerOptions { Certificate = certificate, ChooseExtra = () => CiyamExtra.None });
        var theirs = node.Files.AddBlob(7);
        using var mine = new TempArea();
        var seen = new TaskCompletionSource<string>();
        var options = new CiyamPeerOptions
        {
            ValidateCertificate = (_, presented, _, _) =>
            {
                seen.TrySetResult(presented!.GetCertHashString());
                return presented!.GetCertHashString() == certificate.GetCertHashString();
            },
        };

        await using var initiator = await CiyamInitiator.ConnectAsync("127.0.0.1", node.Port, mine.Area, options);
        await initiator.StartTlsAsync("ciyam-test");
        await initiator.GreetAsync();
        await initiator.PutAsync(HelloBlob.Hash);
        await initiator.GetAsync(theirs);

        Assert.True(initiator.IsSecure);
        Assert.Equal(certificate.GetCertHashString(), await seen.Task);
        Assert.True(mine.Area.Contains(theirs));
    }

    [Fact]
    public async Task Without_a_certificate_tls_is_answered_with_an_error()
    {
        await using var node = new TestListener();
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();

        Assert.Equal(["(error)TLS is not available"], await client.CommandAsync("tls"));
        Assert.True(await client.ClosedAsync());
    }
}
