using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Protocol.Overlay.Node;

/// <summary>A private message from a contact, received over a direct Noise channel.</summary>
public sealed record OverlayMessage(string From, string Text, DateTimeOffset ReceivedAt);

/// <summary>Something a node dropped, and why: a forged or abusive find-me, a message from a stranger.</summary>
public sealed record OverlayDrop(string What, string Reason, NodeId? From);
