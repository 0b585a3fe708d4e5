using System.Net;
using Microsoft.Extensions.Logging;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

internal static partial class PeerLog
{
    [LoggerMessage(1, LogLevel.Information, "Peer node {Agent} listening on {EndPoint} ({Mode} mode)")]
    public static partial void Listening(ILogger logger, AgentId agent, EndPoint endPoint, PeerMode mode);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} ({Direction}) with {Agent} at {EndPoint} is open")]
    public static partial void Opened(ILogger logger, long connectionId, ConnectionDirection direction, AgentId agent, EndPoint? endPoint);

    [LoggerMessage(3, LogLevel.Warning, "Connection {ConnectionId} ({Direction}) from {EndPoint} closed silently: {Reason}")]
    public static partial void ClosedHostile(ILogger logger, long connectionId, ConnectionDirection direction, EndPoint? endPoint, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} ({Direction}) with {Agent} closed: {Reason}")]
    public static partial void Closed(ILogger logger, long connectionId, ConnectionDirection direction, AgentId agent, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Address {Address} blocked after repeated handshake failures")]
    public static partial void Blocked(ILogger logger, IPAddress address);

    [LoggerMessage(6, LogLevel.Warning, "Connect to {Destination} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, PeerDestination destination, DeliveryFailure reason, Exception? exception);

    [LoggerMessage(8, LogLevel.Debug, "Inbound connection from {Address} refused: {Reason}")]
    public static partial void Refused(ILogger logger, IPAddress address, string reason);

    [LoggerMessage(7, LogLevel.Error, "Accepting connections failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "Node stopped with {Count} connections still closing; their FIN follows when their read loops end")]
    public static partial void FinsPending(ILogger logger, int count);
}
