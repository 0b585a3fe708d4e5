using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>What the node and a <see cref="PeerConnection"/> use of either role's session.</summary>
internal interface IPeerSession
{
    /// <summary>The MyCHIPs side of the connection.</summary>
    PeerConnection Peer { get; }

    /// <summary>The engine's connection the session runs on.</summary>
    ProtocolConnection Connection { get; }

    /// <summary>The connection closed: whatever the role still waits for fails with this reason.</summary>
    void OnPeerClosed(DeliveryFailure failure, CloseReason reason, bool wasOpen);

    /// <summary>Adds the deliveries the role holds (the initiator's first message) to <paramref name="into"/>.</summary>
    void CollectPending(List<Task> into);
}
