namespace MyChips.Protocol.Connections;

/// <summary>What a spec action (or a whole transition) asks of the connection that runs it.</summary>
public enum ActionOutcomeKind
{
    /// <summary>Go on: the transition took place and the connection stays up.</summary>
    Continue,

    /// <summary>The spec has no such transition from the current state, or its guard said no; nothing changed.</summary>
    NotAllowed,

    /// <summary>Close the connection, for the reason given.</summary>
    Close,

    /// <summary>The packet's body could not be decoded: the peer broke the protocol (<see cref="ProtocolViolation.MalformedBody"/>).</summary>
    Malformed,
}

/// <summary>
/// The result of a generated action or trigger: go on, not allowed here, or close with a reason. Actions return
/// it instead of leaving their verdict in fields, so the engine (or the session) acts on it at once.
/// </summary>
public readonly record struct ActionOutcome(ActionOutcomeKind Kind, string? Reason)
{
    /// <summary>Go on.</summary>
    public static ActionOutcome Continue => default;

    /// <summary>No transition took place.</summary>
    public static ActionOutcome NotAllowed => new(ActionOutcomeKind.NotAllowed, null);

    /// <summary>Close the connection; <paramref name="reason"/> is logged and reported to the session.</summary>
    public static ActionOutcome Close(string reason) => new(ActionOutcomeKind.Close, reason ?? throw new ArgumentNullException(nameof(reason)));

    /// <summary>A received packet whose body does not decode: the connection closes as a protocol violation.</summary>
    public static ActionOutcome Malformed(string reason) => new(ActionOutcomeKind.Malformed, reason ?? throw new ArgumentNullException(nameof(reason)));

    /// <summary>The transition took place (whether or not it asks to close).</summary>
    public bool Fired => Kind != ActionOutcomeKind.NotAllowed;

    /// <summary>The transition took place and the connection goes on.</summary>
    public bool Continues => Kind == ActionOutcomeKind.Continue;

    /// <summary>The first outcome that is not <see cref="Continue"/>: how a transition sums up its actions.</summary>
    public ActionOutcome Then(ActionOutcome next) => Continues ? next : this;

    public override string ToString() => Reason is null ? Kind.ToString() : $"{Kind}: {Reason}";
}
