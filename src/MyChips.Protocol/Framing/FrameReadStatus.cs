namespace MyChips.Protocol.Framing;

/// <summary>The outcome of reading one frame from received bytes, for every spec's generated <c>FrameCodec</c>.</summary>
public enum FrameReadStatus
{
    /// <summary>The buffer does not yet hold a whole frame; nothing was consumed. Read more and try again.</summary>
    NeedMoreData,

    /// <summary>A frame was read and consumed from the buffer.</summary>
    Complete,

    /// <summary>The frame is longer than the maximum; nothing was consumed. Close the connection.</summary>
    TooLarge,

    /// <summary>The frame's type is not a packet of this protocol; nothing was consumed.</summary>
    UnknownType,

    /// <summary>The frame is empty (no type); it was consumed.</summary>
    Empty,
}
