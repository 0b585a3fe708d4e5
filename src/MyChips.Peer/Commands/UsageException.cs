namespace MyChips.Peer.Commands;

/// <summary>Bad arguments or input found after parsing (a malformed file, an impossible combination): exit code 2.</summary>
public sealed class UsageException(string message, Exception? innerException = null) : Exception(message, innerException);
