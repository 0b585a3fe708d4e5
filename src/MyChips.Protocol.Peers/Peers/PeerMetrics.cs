using System.Diagnostics.Metrics;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The node's counters, on the meter <c>MyChips.Protocol.Peers</c>. Instruments are created once per
/// process; every measurement carries no per-message allocation (tags are static strings).
/// </summary>
internal static class PeerMetrics
{
    public const string MeterName = "MyChips.Protocol.Peers";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> ConnectionsOpened =
        Meter.CreateCounter<long>("mychips.peer.connections.opened", "{connection}", "Connections whose handshake completed.");

    public static readonly Counter<long> ConnectionsClosed =
        Meter.CreateCounter<long>("mychips.peer.connections.closed", "{connection}", "Connections closed, tagged by reason.");

    public static readonly UpDownCounter<long> ConnectionsActive =
        Meter.CreateUpDownCounter<long>("mychips.peer.connections.active", "{connection}", "Connections open or in their handshake.");

    public static readonly Counter<long> MessagesSent =
        Meter.CreateCounter<long>("mychips.peer.messages.sent", "{message}", "Application messages written to a connection.");

    public static readonly Counter<long> MessagesReceived =
        Meter.CreateCounter<long>("mychips.peer.messages.received", "{message}", "Application messages delivered to the application.");

    public static readonly Counter<long> DeliveryFailures =
        Meter.CreateCounter<long>("mychips.peer.delivery.failures", "{message}", "Messages reported undelivered, tagged by reason.");

    public static readonly Counter<long> BlockedConnections =
        Meter.CreateCounter<long>("mychips.peer.connections.blocked", "{connection}", "Inbound connections refused because their address is blocked.");

    public static readonly Counter<long> BytesReceived =
        Meter.CreateCounter<long>("mychips.peer.bytes.received", "By", "Bytes read from connections, length prefixes included.");

    public static readonly Counter<long> BytesSent =
        Meter.CreateCounter<long>("mychips.peer.bytes.sent", "By", "Bytes written to connections, length prefixes included.");

    public static readonly UpDownCounter<long> MessagesQueued =
        Meter.CreateUpDownCounter<long>("mychips.peer.messages.queued", "{message}", "Messages waiting for a connection to open.");

    public static readonly Counter<long> RefusedConnections =
        Meter.CreateCounter<long>("mychips.peer.connections.refused", "{connection}", "Inbound connections refused at accept, tagged by the limit they hit.");

    public static void Refused(CloseReason reason)
    {
        RefusedConnections.Add(1, new KeyValuePair<string, object?>("reason", reason.ToTag()));
        Closed(reason);
    }

    public static void Closed(CloseReason reason) =>
        ConnectionsClosed.Add(1, new KeyValuePair<string, object?>("reason", reason.ToTag()));

    public static void DeliveryFailed(DeliveryFailure reason) =>
        DeliveryFailures.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
}
