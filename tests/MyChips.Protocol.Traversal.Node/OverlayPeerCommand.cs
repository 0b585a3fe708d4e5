using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;
using MyChips.Protocol.Traversal.OverlayPunch;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.Node;

/// <summary>
/// The bench over the overlay: a public overlay node that relays and observes addresses, and peers that join it,
/// reserve a place at it, learn their observed address from it, and punch towards a contact with the signals and
/// the relay circuit it carries; then the same call as over the rendezvous server.
/// </summary>
public static class OverlayPeerCommand
{
    /// <summary>The public node: relay, entry point and address observer, with limits wide enough for the bench's calls.</summary>
    public static async Task RunRelayAsync(IPEndPoint listen)
    {
        var identity = OverlayIdentity.Generate();
        var options = new OverlayOptions
        {
            Offers = PeerFlags.Reachable | PeerFlags.Relay | PeerFlags.EntryPoint | PeerFlags.Punch,
            RelayLimits = new RelayLimits { CircuitBytes = 64L << 20, CircuitDuration = TimeSpan.FromMinutes(10) },
        };
        await using var node = new OverlayNode(identity, new TcpOverlayTransport(identity, listen), options);
        node.Start();
        Console.WriteLine($"ready {node.Self.Address}");
        await Console.In.ReadToEndAsync(); // runs until the bench closes its input
        Console.WriteLine($"relayed {node.RelayCircuits}");
    }

    public static async Task<int> RunPeerAsync(OverlayPeerArguments args)
    {
        var identity = OverlayIdentity.FromPrivateKey(Convert.FromHexString(args.PrivateKey));
        var dialer = new SharedPortDialer(args.Bind);
        var transport = new TcpOverlayTransport(identity, null, new TcpOverlayOptions { Dialer = dialer.DialAsync });
        await using var node = new OverlayNode(identity, transport, new OverlayOptions { Offers = PeerFlags.Punch });
        node.Start();
        var contact = AddContact(node, Convert.FromHexString(args.ContactKey));
        var relay = await node.JoinAsync(args.Relay);
        var via = await node.LinkToAsync(relay);
        var reservation = await node.ReserveRelayAsync();
        if (!reservation.Accepted) throw new OverlayUnreachableException($"the relay refused a reservation: {reservation.Reason}");
        Console.WriteLine($"joined {relay.Address}");

        var puncher = new HolePuncher(new HolePunchOptions { AttemptTimeout = args.AttemptTimeout });
        if (!args.Caller) await node.PunchRequests.ReadAsync();
        using var channel = new OverlayPunchChannel(node, via, contact, args.Caller);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(args.Bind, 0));
        var plan = await channel.PlanAsync(dialer, udp);
        var punch = args.Caller
            ? await puncher.InitiateAsync(plan, channel, channel)
            : await puncher.RespondAsync(plan, channel, channel);
        await PeerCommand.CallAsync(punch, args.Caller, udp, args.ToneFrames, args.RateDatagrams);
        return 0;
    }

    private static Contact AddContact(OverlayNode node, byte[] publicKey)
    {
        node.Contacts.Add("peer", new ContactCard(publicKey, new byte[ContactTokens.MaxTokenLength]), node.Identity.PublicKey);
        return node.Contacts.Find("peer")!;
    }
}

public sealed record OverlayPeerArguments(IPAddress Bind, string Relay, string PrivateKey, string ContactKey, bool Caller, int ToneFrames, int RateDatagrams, TimeSpan AttemptTimeout);
