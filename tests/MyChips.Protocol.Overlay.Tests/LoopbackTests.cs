using MyChips.Protocol.Overlay.Simulation;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Tests;

/// <summary>Overlay nodes over real sockets and Noise XX, on loopback addresses 127.0.0.x.</summary>
public sealed class LoopbackTests : IAsyncLifetime
{
    private readonly LoopbackNodes _nodes = new();

    public Task InitializeAsync() => _nodes.AddJoinedAsync(6);

    public Task DisposeAsync() => _nodes.DisposeAsync().AsTask();

    [Fact]
    public async Task Nodes_that_joined_through_one_entry_point_find_each_other_by_lookup()
    {
        var result = await _nodes[5].LookupAsync(_nodes[3].Identity.Id).WaitAsync(LoopbackNodes.Deadline);

        Assert.Equal(_nodes[3].Identity.Id, result.Closest[0].Id);
        Assert.Equal(_nodes[3].Self.Address, result.Closest[0].Address);
        Assert.StartsWith("127.0.0.5:", result.Closest[0].Address);
        Assert.All(Enumerable.Range(0, 6), i => Assert.True(_nodes[i].Table.Count >= 1));
    }

    [Fact]
    public async Task A_message_reaches_a_contact_over_a_direct_Noise_channel_after_a_find_me()
    {
        var (alice, bob) = (_nodes[1], _nodes[4]);
        OverlaySimulation.Befriend(alice, bob, "alice", "bob");

        var link = await alice.FindContactAsync(alice.Contacts.Find("bob")!).WaitAsync(LoopbackNodes.Deadline);
        await alice.SendMessageAsync("bob", "hello bob");
        await bob.SendMessageAsync("alice", "hello alice");

        var atBob = await bob.Messages.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);
        var atAlice = await alice.Messages.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal(("alice", "hello bob"), (atBob.From, atBob.Text));
        Assert.Equal(("bob", "hello alice"), (atAlice.From, atAlice.Text));
        Assert.Equal(bob.Identity.Id, link.Peer.Id); // the key the handshake proved
    }

    [Fact]
    public async Task A_message_from_a_node_that_is_not_a_contact_is_dropped_with_a_reason()
    {
        var (stranger, target) = (_nodes[2], _nodes[3]);
        var dropped = new TaskCompletionSource<Node.OverlayDrop>(TaskCreationOptions.RunContinuationsAsynchronously);
        target.Dropped += (_, drop) => dropped.TrySetResult(drop);

        var link = await stranger.LinkToAsync(target.Self);
        await link.SendTextAsync("let me in");

        var drop = await dropped.Task.WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal(("message", "the sender is not a contact"), (drop.What, drop.Reason));
        Assert.Equal(stranger.Identity.Id, drop.From);
        Assert.False(target.Messages.TryRead(out _));
    }

    [Fact]
    public async Task A_link_to_an_address_whose_node_holds_another_key_is_refused()
    {
        var impostor = _nodes[2].Self with { PublicKey = _nodes[3].Identity.PublicKey, Id = _nodes[3].Identity.Id };

        var newcomer = _nodes.Add(); // no link open yet to anyone

        var refused = await Assert.ThrowsAsync<OverlayUnreachableException>(() => newcomer.LinkToAsync(impostor).AsTask().WaitAsync(LoopbackNodes.Deadline));
        Assert.Contains("another key", refused.Message);
    }
}
