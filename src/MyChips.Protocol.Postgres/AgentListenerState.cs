namespace MyChips.Protocol.Postgres;

/// <summary>Where the LISTEN connection that keeps the agent cache fresh stands.</summary>
public enum AgentListenerState
{
    /// <summary>Not started, or stopped: lookups go to the database.</summary>
    Stopped,
    /// <summary>Opening the connection and issuing LISTEN; lookups go to the database.</summary>
    Connecting,
    /// <summary>Receiving change notices: lookups are served from the cache when they can be.</summary>
    Listening,
    /// <summary>
    /// The connection was lost (or the agents table has no change-notice trigger); the cache is cleared
    /// and bypassed, and a reconnect waits its turn.
    /// </summary>
    Disconnected,
}
