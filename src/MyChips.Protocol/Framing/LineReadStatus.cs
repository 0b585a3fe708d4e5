namespace MyChips.Protocol.Framing;

/// <summary>What <see cref="LineFraming.TryRead"/> found at the head of the buffer.</summary>
public enum LineReadStatus
{
    /// <summary>No whole line yet, and what there is stays within the maximum: read more.</summary>
    NeedMoreData,

    /// <summary>A whole line, its terminator removed.</summary>
    Complete,

    /// <summary>The line is longer than the maximum, or more than the maximum arrived without a line end: close.</summary>
    TooLong,

    /// <summary>A line feed without the carriage return before it, in strict CRLF mode: close.</summary>
    BareLineFeed,
}
