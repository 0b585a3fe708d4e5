namespace MyChips.Protocol.Connections;

/// <summary>
/// One connection's generated state machine, as the engine sees it: packets and timeouts in, outcomes out.
/// Each spec machine's generated <c>{Machine}Connection</c> implements it; a session works with the typed
/// class (its events and states), the engine with this interface. Not thread-safe: the engine calls it from
/// one flow at a time.
/// </summary>
public interface IConnectionMachine
{
    /// <summary>The current state's name, for logs and errors.</summary>
    string StateName { get; }

    /// <summary>Whether the machine reached a final state: the connection is over.</summary>
    bool IsFinal { get; }

    /// <summary>The names of the machine's timeouts, as in the spec (e.g. "handshake").</summary>
    IReadOnlyList<string> TimeoutNames { get; }

    /// <summary>Whether a packet may be received in the current state.</summary>
    bool Accepts(byte packetType);

    /// <summary>Decodes a received packet's plaintext body and fires its receive trigger.</summary>
    ValueTask<ActionOutcome> ReceiveAsync(byte packetType, ReadOnlyMemory<byte> body);

    /// <summary>The spec's duration of a timeout.</summary>
    TimeSpan GetTimeout(string name);

    /// <summary>Whether a timeout runs in the current state.</summary>
    bool IsArmed(string name);

    /// <summary>A timeout expired: fires its trigger.</summary>
    ValueTask<ActionOutcome> ExpireAsync(string name);

    /// <summary>
    /// The connection is ending: fires the spec's <c>close</c> event (when <paramref name="failure"/> is null) or
    /// its <c>failed(reason)</c> event, where the current state has them; the engine ends the connection either way.
    /// </summary>
    ValueTask EndAsync(string? failure);
}
