using System.Buffers;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.Connections;

/// <summary>The runtime's Noise driver: handshakes built from the packets' declarations, chained, or in the clear.</summary>
public sealed class NoiseDriverTests : IDisposable
{
    private readonly AgentKey _initiator = AgentKey.Generate("127.0.0.1", 1);
    private readonly AgentKey _responder = AgentKey.Generate("127.0.0.1", 2);

    [Fact]
    public void A_one_way_pattern_the_spec_follows_with_another_handshake_is_a_prelude()
    {
        Assert.True(MyChipsPeerDescription.Instance.IsPrelude("N"));
        Assert.False(MyChipsPeerDescription.Instance.IsPrelude("KK"));
        Assert.False(MyChipsPeerDescription.Instance.IsPrelude("IK"));
        Assert.False(MyChips.Protocol.Tests.EchoXx.EchoXxDescription.Instance.IsPrelude("XX"));
    }

    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.Raw)]
    public void N_names_the_initiator_then_KK_with_the_key_learnt_from_it_opens_the_transport(PeerMode mode)
    {
        using var initiator = PeerDrivers.Initiator(_initiator, _responder.Agent, mode);
        using var responder = PeerDrivers.Responder(_responder, mode);

        Assert.True(responder.TryOpen(PacketType.Declare, initiator.Seal(PacketType.Declare, "\"who\""u8), out var declared));
        Assert.Equal("\"who\""u8.ToArray(), declared);
        Assert.False(responder.IsCompleted); // a prelude opens nothing
        if (mode == PeerMode.Strict) responder.KnowInitiator(_initiator.Agent);
        Assert.True(responder.TryOpen(PacketType.Knock, initiator.Seal(PacketType.Knock, "{}"u8), out _));
        Assert.True(initiator.TryOpen(PacketType.Ack, responder.Seal(PacketType.Ack, []), out _));

        Assert.True(initiator.IsCompleted && responder.IsCompleted);
        Assert.Equal("KK", initiator.Pattern);
        Assert.Equal(mode == PeerMode.Strict ? 16 : 0, initiator.TransportOverhead);
        var sealedBody = new byte[5 + initiator.TransportOverhead];
        initiator.EncryptTransport("hello"u8, sealedBody);
        var opened = new byte[5];
        Assert.True(responder.TryDecryptTransport(new ReadOnlySequence<byte>(sealedBody), opened));
        Assert.Equal("hello"u8.ToArray(), opened);
        Assert.Equal(mode == PeerMode.Raw, sealedBody.AsSpan(0, 5).SequenceEqual("hello"u8));
    }

    [Fact]
    public void KK_fails_when_the_responder_learnt_another_key_than_the_initiator_holds()
    {
        using var initiator = PeerDrivers.Initiator(_initiator, _responder.Agent);
        using var responder = PeerDrivers.Responder(_responder);
        using var stranger = AgentKey.Generate("127.0.0.1", 3);
        Assert.True(responder.TryOpen(PacketType.Declare, initiator.Seal(PacketType.Declare, "\"x\""u8), out _));
        responder.KnowInitiator(stranger.Agent);

        Assert.False(responder.TryOpen(PacketType.Knock, initiator.Seal(PacketType.Knock, "{}"u8), out _));
        Assert.False(responder.IsCompleted);
    }

    [Fact]
    public void IK_makes_the_initiators_key_known_to_the_responder()
    {
        using var initiator = PeerDrivers.Initiator(_initiator, _responder.Agent);
        using var responder = PeerDrivers.Responder(_responder);
        Assert.True(responder.TryOpen(PacketType.Ticket, initiator.Seal(PacketType.Ticket, "{}"u8), out _));
        Assert.Equal(_initiator.NoisePublicKey.ToArray(), responder.PeerStaticKey.ToArray());
        Assert.True(initiator.TryOpen(PacketType.Ack, responder.Seal(PacketType.Ack, []), out _));
        Assert.Equal("IK", responder.Pattern);
    }

    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.Raw)]
    public void Packets_out_of_the_spec_order_are_refused_in_the_clear_too(PeerMode mode)
    {
        using var initiator = PeerDrivers.Initiator(_initiator, _responder.Agent, mode);
        using var responder = PeerDrivers.Responder(_responder, mode);
        // A is message 2: no handshake starts with it, and no transport packet goes before one completes.
        Assert.Throws<InvalidOperationException>(() => responder.Seal(PacketType.Ack, []));
        Assert.False(responder.TryOpen(PacketType.Transport, new byte[20], out _));
        var k = initiator.Seal(PacketType.Knock, "{}"u8);
        // Message 1 of KK is the initiator's to write, not the responder's to write again.
        Assert.Throws<InvalidOperationException>(() => initiator.Seal(PacketType.Knock, "{}"u8));
        if (mode == PeerMode.Strict) responder.KnowInitiator(_initiator.Agent);
        Assert.True(responder.TryOpen(PacketType.Knock, k, out _));
        Assert.Throws<InvalidOperationException>(() => responder.UsePeerStaticKey(new byte[32]));
    }

    public void Dispose()
    {
        _initiator.Dispose();
        _responder.Dispose();
    }
}
