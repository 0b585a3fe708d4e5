namespace MyChips.Protocol.Generators.Model;

// The checked, location-free description of one spec: what the emitters read. It holds no source
// positions, so an edit that only moves lines (a comment) leaves it equal and the outputs cached.

internal enum FramingKind
{
    /// <summary>A 4-byte big-endian length, then a type byte, then the body.</summary>
    LengthPrefixed,

    /// <summary>Text lines ending in CRLF: a command word, a space, then the arguments.</summary>
    Line,
}

internal enum BodyEncoding
{
    Empty,
    Raw,
    Text,
    JsonString,
    JsonValue,
    JsonObject,
    JsonRecord,
    MessagePackRecord,
}

internal enum NoiseStage
{
    None,
    Handshake,
    Transport,
}

internal enum TriggerKind
{
    Receive,
    Timeout,
    Event,
}

/// <summary>The forms of a <c>property</c> line.</summary>
internal enum PropertyKind
{
    /// <summary><c>M reaches S after P [or Q...]</c>: the machine enters S only after it received one of the packets.</summary>
    ReachesAfter,

    /// <summary><c>M receives P at most N</c>: the machine takes P in no more than N times.</summary>
    AtMost,

    /// <summary><c>M receives P before Q[, R...]</c>: the machine takes none of the others before it took P.</summary>
    Before,

    /// <summary><c>M alternates P, Q</c>: the machine never takes the same one of the two twice in a row.</summary>
    Alternates,

    /// <summary><c>M ends in S[, T...]</c>: whenever the whole system can move no further, the machine is in one of the states.</summary>
    EndsIn,
}

internal sealed record PropertyModel(
    string Name,
    string Description,
    string Machine,
    PropertyKind Kind,
    EquatableArray<string> States,
    EquatableArray<string> Packets,
    int Count);

internal sealed record ProtocolModel(
    string Name,
    string FileName,
    string Namespace,
    string Title,
    FramingKind Framing,
    int MaxFrameLength,
    EquatableArray<string> Roles,
    EquatableArray<string> NoisePatterns,
    EquatableArray<BodyModel> Bodies,
    EquatableArray<PacketModel> Packets,
    EquatableArray<MachineModel> Machines,
    EquatableArray<PropertyModel> Properties);

internal sealed record FieldModel(string Name, string Type, bool Optional);

internal sealed record BodyModel(string Name, BodyEncoding Encoding, EquatableArray<FieldModel> Fields, string Description);

internal sealed record PacketModel(
    string Name,
    string Keyword,
    int TypeByte,
    EquatableArray<string> Senders,
    NoiseStage Stage,
    EquatableArray<string> NoisePatterns,
    int MessageIndex,
    string Body,
    string Description);

/// <summary>What a trigger or action parameter holds: a scalar of the spec language, or a declared body.</summary>
internal enum TypeRefKind
{
    /// <summary>A scalar field type: string, bool, i32, i64, u32, u64, f64 or bytes.</summary>
    Scalar,

    /// <summary>A declared body, decoded by its codec.</summary>
    Body,
}

/// <summary>A resolved reference to a type: its kind, its spec name, and for scalars whether it may be absent.</summary>
internal sealed record TypeRef(TypeRefKind Kind, string Name, bool Optional = false)
{
    public static TypeRef Scalar(string name, bool optional = false) => new(TypeRefKind.Scalar, name, optional);

    public static TypeRef Body(string name) => new(TypeRefKind.Body, name);

    public override string ToString() => Kind == TypeRefKind.Body ? "body " + Name : Name + (Optional ? "?" : "");
}

internal sealed record ParameterModel(string Name, TypeRef Type);

internal sealed record TriggerModel(
    string Name,
    TriggerKind Kind,
    string Source,
    EquatableArray<ParameterModel> Parameters,
    string Description);

internal sealed record StateModel(string Name, bool Initial, bool Final, string Description);

internal sealed record TimeoutModel(string Name, long Milliseconds);

internal sealed record GuardModel(string Name, string Description);

internal sealed record ActionModel(string Name, EquatableArray<ParameterModel> Parameters);

internal sealed record TransitionModel(
    string From,
    string Trigger,
    string To,
    bool Stays,
    string Guard,
    EquatableArray<string> Actions,
    EquatableArray<string> Sends);

internal sealed record MachineModel(
    string Name,
    string Role,
    EquatableArray<StateModel> States,
    EquatableArray<TriggerModel> Triggers,
    EquatableArray<TimeoutModel> Timeouts,
    EquatableArray<GuardModel> Guards,
    EquatableArray<ActionModel> Actions,
    EquatableArray<TransitionModel> Transitions);
