namespace MyChips.Protocol.Ciyam.Wire;

/// <summary>The peer broke the protocol, answered with <c>(error)</c>, or stopped answering; the session ends.</summary>
public sealed class CiyamProtocolException(string message, Exception? inner = null) : Exception(message, inner);
