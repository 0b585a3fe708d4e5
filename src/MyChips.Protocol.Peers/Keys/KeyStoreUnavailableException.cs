namespace MyChips.Protocol.Keys;

/// <summary>
/// A key provider or ticket store could not answer (database down or too slow). The caller treats the
/// question as unanswered: no connection is opened on an unchecked key or ticket.
/// </summary>
public sealed class KeyStoreUnavailableException : Exception
{
    public KeyStoreUnavailableException(string message) : base(message) { }

    public KeyStoreUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
