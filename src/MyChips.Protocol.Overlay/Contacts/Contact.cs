using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Protocol.Overlay.Contacts;

/// <summary>A contact: a name, the card they gave this node, and the serial of the card this node gave them.</summary>
public sealed record Contact(string Name, ContactCard TheirCard, long MySerial)
{
    /// <summary>The contact's id in the overlay.</summary>
    public NodeId Id => NodeId.FromPublicKey(TheirCard.PublicKey.Span);
}
