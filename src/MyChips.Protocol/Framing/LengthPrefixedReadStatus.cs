namespace MyChips.Protocol.Framing;

/// <summary>The outcome of reading one length-prefixed frame from received bytes.</summary>
public enum LengthPrefixedReadStatus
{
    /// <summary>The buffer does not yet hold a whole frame; nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>A frame was read and consumed from the buffer.</summary>
    Complete,

    /// <summary>The length field is over the limit; nothing was consumed.</summary>
    TooLarge,

    /// <summary>The type byte is not one of the protocol's packets; nothing was consumed.</summary>
    UnknownType,

    /// <summary>The length field is zero (no type byte); the 4 bytes were consumed.</summary>
    Empty,
}
