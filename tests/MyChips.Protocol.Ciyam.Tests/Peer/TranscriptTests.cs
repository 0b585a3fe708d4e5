using MyChips.Protocol.Ciyam.Peer;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>CIYAM's documented interactive peer session, replayed against the listener line for line.</summary>
public sealed class TranscriptTests
{
    // From CIYAM's peer protocol introduction: "> " lines are typed, the others shown; "~" lines are local commands
    // of the interactive client and never reach the peer.
    private const string Session = """
        > chk hello
        (not found)
        put cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef

        > put cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef
        get cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef

        > ~rm cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef

        > get cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef
        put cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef

        > put cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef
        pip 127.0.0.1

        > pip 127.0.0.1
        127.0.0.1
        get cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef

        > ~rm cceeb7a985ecc3dabcb4c8f666cd637f16f008e3c963db6aa6f83a7b288c54ef

        > bye
        """;

    [Fact]
    public async Task The_documented_session_is_answered_line_for_line()
    {
        // The listener's own choices in that session: a transfer, a transfer, a pip, a transfer.
        var choices = new Queue<CiyamExtra>([CiyamExtra.None, CiyamExtra.None, CiyamExtra.Pip, CiyamExtra.None]);
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => choices.Dequeue() });
        await using var client = await LineClient.ConnectAsync(node.Port);

        Assert.Equal(["0.1", "(okay)"], await client.GreetingAsync());
        var replayed = 0;
        foreach (var (typed, shown) in Exchanges())
        {
            if (typed == "bye")
            {
                await client.SendAsync(typed);
                Assert.True(await client.ClosedAsync());
            }
            else
            {
                Assert.Equal(shown, await client.CommandAsync(typed));
            }
            replayed++;
        }

        Assert.Equal(6, replayed);
        Assert.Equal("bye", await (await node.Started.Task).Ended.WaitAsync(LineClient.Patience));
        Assert.Empty(choices);
    }

    [Fact]
    public async Task A_first_chk_of_a_file_the_listener_holds_is_answered_with_its_proof_and_the_peer_gets_next()
    {
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None });
        var hash = node.Files.AddBlob(1);
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();

        var proof = await client.CommandAsync($"chk {hash} 1c8a4c7e-nonce");

        Assert.Equal([Files.StoredFile.ProofOfStorage("1c8a4c7e-nonce", node.Files.Area.Read(hash)!)], proof);
        Assert.Equal(ResponderState.ExpectingGet, (await node.Started.Task).State);
    }

    /// <summary>The typed commands and the lines shown after each, local commands left out.</summary>
    private static IEnumerable<(string Typed, List<string> Shown)> Exchanges()
    {
        (string Typed, List<string> Shown)? current = null;
        foreach (var line in Session.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
        {
            if (line.StartsWith("> ", StringComparison.Ordinal))
            {
                if (current is { } done) yield return done;
                current = line.StartsWith("> ~", StringComparison.Ordinal) ? null : (line[2..], []);
            }
            else
            {
                current!.Value.Shown.Add(line);
            }
        }
        if (current is { } last) yield return last;
    }
}
