using System.Security.Cryptography;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Tests;

/// <summary>What a hostile peer sends over a real Noise link is dropped with a reason, and the victim stays bounded and alive.</summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private readonly LoopbackNodes _nodes = new();
    private readonly TaskCompletionSource<OverlayDrop> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OverlayNode _victim = null!;
    private IOverlayLink _attack = null!;

    public async Task InitializeAsync()
    {
        _victim = _nodes.Add(options: new OverlayOptions { FindMeMemory = 100 });
        _victim.Dropped += (_, drop) => _dropped.TrySetResult(drop);
        // The attacker's own engine allows the spec's 64 KiB frames; the victim keeps the default 16 KiB.
        var attacker = _nodes.Add(transportOptions: new TcpOverlayOptions { MaxFrameLength = 65_536 });
        _attack = await attacker.LinkToAsync(_victim.Self).AsTask().WaitAsync(LoopbackNodes.Deadline);
    }

    public Task DisposeAsync() => _nodes.DisposeAsync().AsTask();

    [Theory]
    [InlineData(99, 0, 200, "a TTL of 99 is over the 32 allowed")]
    [InlineData(0, 0, 200, "its TTL ran out")]
    [InlineData(4, 200, 200, "a region of 200 bits is outside 0 to 24")]
    [InlineData(4, 0, 20, "the seal is too short to hold keys")]
    public async Task A_malformed_or_abusive_find_me_is_dropped_with_its_reason(int ttl, int regionBits, int sealLength, string reason)
    {
        await _attack.SendFindMeAsync(new FindMePacket(NewId(), ttl, NodeId.Random(), regionBits, new byte[sealLength]));

        var drop = await _dropped.Task.WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal(("find-me", reason), (drop.What, drop.Reason));
    }

    [Fact]
    public async Task A_find_me_sealed_to_the_node_by_someone_who_is_not_a_contact_is_dropped()
    {
        var forger = OverlayIdentity.Generate();
        var seal = FindMeSeal.Seal(forger.PrivateKey, _victim.Identity.PublicKey, new FindMeContent(forger.PublicKey, RandomNumberGenerator.GetBytes(36), ["127.0.0.9:9"]));

        await _attack.SendFindMeAsync(new FindMePacket(NewId(), 3, _victim.Identity.Id, 8, seal));

        var drop = await _dropped.Task.WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal("sealed to this node, but not by a contact", drop.Reason);
    }

    [Fact]
    public async Task The_same_find_me_twice_is_dropped_as_a_duplicate()
    {
        var packet = new FindMePacket(NewId(), 3, NodeId.Random(), 0, new byte[200]);

        await _attack.SendFindMeAsync(packet);
        await _attack.SendFindMeAsync(packet);

        Assert.Equal("a duplicate", (await _dropped.Task.WaitAsync(LoopbackNodes.Deadline)).Reason);
    }

    [Fact]
    public async Task A_flood_of_find_me_ids_leaves_the_duplicate_memory_at_its_bound_and_the_node_answering()
    {
        for (var i = 0; i < 500; i++) await _attack.SendFindMeAsync(new FindMePacket(NewId(), 1, NodeId.Random(), 0, new byte[200]));

        await _attack.PingAsync().AsTask().WaitAsync(LoopbackNodes.Deadline); // answered after every packet before it was taken

        Assert.Equal(100, _victim.RememberedFindMes);
    }

    [Fact]
    public async Task A_frame_over_the_limit_ends_the_connection_as_a_protocol_violation()
    {
        var ended = new TaskCompletionSource<ConnectionCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        _nodes.TransportOf(0).ConnectionEnded += (_, reason) => ended.TrySetResult(reason);

        await _attack.SendTextAsync(new string('x', 20_000));

        var reason = await ended.Task.WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal(ConnectionCloseKind.ProtocolViolation, reason.Kind);
        Assert.Contains("maximum", reason.Detail);
        Assert.False(_victim.Messages.TryRead(out _));
    }

    private static byte[] NewId() => RandomNumberGenerator.GetBytes(FindMePacket.IdLength);
}
