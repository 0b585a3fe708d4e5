using System.Text;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Simulation;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Tests;

/// <summary>Two nodes that accept no connections talk through a relay that both consented to, over real sockets.</summary>
public sealed class RelayTests : IAsyncDisposable
{
    private readonly LoopbackNodes _nodes = new();
    private readonly List<string> _relayDrops = [];
    private OverlayNode _relay = null!;

    private async Task<(OverlayNode Alice, OverlayNode Bob)> StartAsync(RelayLimits? limits = null, TimeProvider? relayTime = null, bool bobConsents = true)
    {
        var relayOptions = new OverlayOptions { Offers = PeerFlags.Reachable | PeerFlags.Relay | PeerFlags.EntryPoint, RelayLimits = limits ?? new RelayLimits() };
        _relay = relayTime is null ? _nodes.Add(options: relayOptions) : _nodes.AddWithClock(relayOptions, relayTime);
        _relay.Dropped += (_, drop) =>
        {
            lock (_relayDrops) _relayDrops.Add(drop.Reason);
        };
        await _nodes.AddJoinedAsync(2);
        var alice = _nodes.Add(listen: false);
        var bob = _nodes.Add(listen: false, options: new OverlayOptions { AllowRelay = bobConsents });
        await alice.JoinAsync(_relay.Self.Address!).WaitAsync(LoopbackNodes.Deadline);
        await bob.JoinAsync(_relay.Self.Address!).WaitAsync(LoopbackNodes.Deadline);
        OverlaySimulation.Befriend(alice, bob, "alice", "bob");
        return (alice, bob);
    }

    public ValueTask DisposeAsync() => _nodes.DisposeAsync();

    [Fact]
    public async Task Two_unreachable_contacts_talk_through_a_relay_that_sees_ciphertext_only()
    {
        var (alice, bob) = await StartAsync();
        var seen = new List<byte[]>();
        _relay.Relaying += data =>
        {
            lock (seen) seen.Add(data.ToArray());
        };
        Assert.True((await alice.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline)).Accepted);
        Assert.True((await bob.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline)).Accepted);
        Assert.Equal($"relay:{_relay.Self.Address}", alice.RelayAddress);

        await alice.SendMessageAsync("bob", "a secret for bob").WaitAsync(LoopbackNodes.Deadline);
        await bob.SendMessageAsync("alice", "a secret for alice").WaitAsync(LoopbackNodes.Deadline);

        var atBob = await bob.Messages.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);
        var atAlice = await alice.Messages.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal(("alice", "a secret for bob"), (atBob.From, atBob.Text));
        Assert.Equal(("bob", "a secret for alice"), (atAlice.From, atAlice.Text));
        Assert.Equal(1, _relay.RelayCircuits);
        Assert.Equal(2, _relay.RelayReservations);
        lock (seen)
        {
            Assert.True(seen.Count >= 4); // two handshake messages, two messages
            Assert.DoesNotContain(seen, chunk => Encoding.UTF8.GetString(chunk).Contains("secret", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Without_the_user_s_consent_a_node_reserves_no_relay()
    {
        var (_, bob) = await StartAsync(bobConsents: false);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => bob.ReserveRelayAsync());
        Assert.Contains("AllowRelay", refused.Message);
        await Assert.ThrowsAsync<OverlayUnreachableException>(() => bob.FindContactAsync(bob.Contacts.Find("alice")!));
    }

    [Fact]
    public async Task A_node_that_does_not_relay_is_never_asked_and_says_no_when_it_is()
    {
        var (alice, _) = await StartAsync();
        var plain = _nodes[1]; // reachable, no relay flag

        var link = await alice.LinkToAsync(plain.Self).AsTask().WaitAsync(LoopbackNodes.Deadline);
        var error = await Assert.ThrowsAsync<OverlayUnreachableException>(() => link.ReserveAsync().AsTask());
        Assert.Contains("does not relay", error.Message);
    }

    [Fact]
    public async Task A_circuit_from_someone_who_is_not_a_contact_is_hung_up_by_the_reserved_node()
    {
        var (_, bob) = await StartAsync();
        await bob.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline);
        var refused = new TaskCompletionSource<OverlayDrop>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Dropped += (_, drop) =>
        {
            if (drop.What == "circuit") refused.TrySetResult(drop);
        };
        var stranger = _nodes.Add(listen: false);
        var link = await stranger.LinkToAsync(_relay.Self).AsTask().WaitAsync(LoopbackNodes.Deadline);

        var outcome = await link.DialAsync(bob.Identity.PublicKey).AsTask().WaitAsync(LoopbackNodes.Deadline);

        Assert.Null(outcome.Refusal); // the relay opened it: only bob knows who his contacts are
        Assert.Equal("the source is not a contact", (await refused.Task.WaitAsync(LoopbackNodes.Deadline)).Reason);
        var unknown = await link.DialAsync(_nodes[1].Identity.PublicKey).AsTask().WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal("that node holds no reservation here", unknown.Refusal);
    }

    [Fact]
    public async Task Reservations_beyond_the_limit_are_refused_with_the_reason()
    {
        var (alice, bob) = await StartAsync(new RelayLimits { MaxReservations = 1 });
        await alice.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline);

        var error = await Assert.ThrowsAsync<OverlayUnreachableException>(() => bob.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline));

        Assert.Contains("all 1 reservations are taken", error.Message);
    }

    [Fact]
    public async Task A_circuit_that_carries_more_than_its_bytes_is_closed_by_the_relay()
    {
        var (alice, bob) = await StartAsync(new RelayLimits { CircuitBytes = 400 });
        await alice.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline);
        await bob.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline);
        await alice.SendMessageAsync("bob", "short").WaitAsync(LoopbackNodes.Deadline);
        await bob.Messages.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);

        await alice.SendMessageAsync("bob", new string('x', 500)).WaitAsync(LoopbackNodes.Deadline);

        await WaitForDropAsync("bytes are used up");
        Assert.Equal(0, _relay.RelayCircuits);
        Assert.False(bob.Messages.TryRead(out _));
    }

    [Fact]
    public async Task A_circuit_past_its_duration_is_closed_by_the_relay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (alice, bob) = await StartAsync(new RelayLimits { CircuitDuration = TimeSpan.FromMinutes(2) }, time);
        await alice.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline);
        await bob.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline);
        await alice.SendMessageAsync("bob", "first").WaitAsync(LoopbackNodes.Deadline);
        await bob.Messages.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);

        time.Advance(TimeSpan.FromMinutes(2));
        await alice.SendMessageAsync("bob", "too late").WaitAsync(LoopbackNodes.Deadline);

        await WaitForDropAsync("are up");
        Assert.False(bob.Messages.TryRead(out _));
    }

    private async Task WaitForDropAsync(string reason)
    {
        var deadline = DateTime.UtcNow + LoopbackNodes.Deadline;
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _relay.Dropped += (_, drop) =>
        {
            if (drop.Reason.Contains(reason, StringComparison.Ordinal)) seen.TrySetResult();
        };
        lock (_relayDrops)
            if (_relayDrops.Any(r => r.Contains(reason, StringComparison.Ordinal))) return;
        await seen.Task.WaitAsync(deadline - DateTime.UtcNow);
    }
}
