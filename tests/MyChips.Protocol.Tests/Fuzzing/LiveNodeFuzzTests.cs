using System.Text;
using CsCheck;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Hardening;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.Fuzzing;

/// <summary>
/// A running node fed arbitrary packet sequences over TCP, one connection each, every sequence ending in an
/// empty frame: the node always ends the connection with a refusal reason (never a socket error,
/// which is what an exception in a reader turns into), and still serves a legitimate peer afterwards.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public class LiveNodeFuzzTests
{
    private static Gen<byte[]> Frames(AgentId agent) => Gen.Select(
        Gen.OneOf<char>('N', 'K', 'I', 'A', 'T', 'R'),
        Gen.OneOf(
            Gen.Byte.Array[0, 40],
            Gen.Const(AgentIdCodec.ToBytes(agent.ToString())),
            Gen.Int.Select(i => Encoding.UTF8.GetBytes($$"""{"n":{{i}}}""")),
            Gen.Const(new byte[8])),
        (type, body) => HostileFrames.Frame(type, body));

    // Refused in every mode and state (unknown types are skipped outside strict mode, as the JavaScript peer does).
    private static readonly byte[] EmptyFrame = [0, 0, 0, 0];

    private static bool IsInboundClose(ConnectionStateChange s) => s.State == ConnectionState.Closed && s.Direction == ConnectionDirection.Inbound;

    [Theory]
    [InlineData(PeerMode.Raw)]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.MyChipsJs)]
    public async Task Arbitrary_packet_sequences_end_in_a_refusal_and_the_node_keeps_serving(PeerMode mode)
    {
        await using var b = await TestSite.StartAsync(mode);
        using var agent = HostileHandshakes.TrustedAgent(b);
        var closes = 0;
        await FuzzBudget.RunAsync(Frames(agent.Agent).Array[0, 6], async frames =>
        {
            using var peer = await HostilePeer.ConnectAsync(HostileHandshakes.EndPoint(b), HostileHandshakes.Hostile);
            var bytes = frames.SelectMany(f => f).Concat(EmptyFrame).ToArray();
            await new HostileScript().Send(bytes).ExpectClose(TestSite.Deadline).RunAsync(peer);
            // The node's own record of this close (the peer may see the close before the node reports it).
            var closed = Interlocked.Increment(ref closes);
            await b.WaitForStateAsync(_ => b.States.Count(IsInboundClose) >= closed);
            Assert.DoesNotContain(b.States, s => IsInboundClose(s) && !s.CloseReason.IsHostile());
            while (b.Node.Messages.TryRead(out _)) { }
        }, 60);

        await using var a = await TestSite.StartAsync(mode);
        TestSite.Introduce(a, b);
        await a.SendAsync(b, """{"after":"fuzz"}""").WaitAsync(TestSite.Deadline);
        Assert.Equal(a.AsFirstMessage("""{"after":"fuzz"}"""), (await b.ReceiveAsync()).JsonText);
    }
}
