namespace MyChips.Protocol.Framing;

/// <summary>
/// The type bytes one protocol's frames may carry. Generated per spec; a framing reader takes it as a
/// type argument, so the check is a direct call with no delegate on the read path.
/// </summary>
public interface IFrameTypeSet
{
    /// <summary>True when <paramref name="type"/> is a packet of the protocol.</summary>
    static abstract bool IsKnown(byte type);
}
