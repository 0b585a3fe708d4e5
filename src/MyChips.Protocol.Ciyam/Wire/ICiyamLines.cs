namespace MyChips.Protocol.Ciyam.Wire;

/// <summary>What a file transfer needs of a connection: CRLF lines, and raw chunks of a fixed size both ways.</summary>
internal interface ICiyamLines
{
    /// <summary>The next line, without its CRLF; throws <see cref="CiyamProtocolException"/> for one over <paramref name="maxLength"/> or a silent peer.</summary>
    Task<string> ReadLineAsync(int maxLength, TimeSpan timeout);

    /// <summary>Exactly <paramref name="count"/> characters of ASCII, as they come: one chunk.</summary>
    Task<string> ReadChunkAsync(int count, TimeSpan timeout);

    Task WriteLineAsync(string line);

    /// <summary>Text as it is, with no line end: one chunk.</summary>
    Task WriteAsync(string text);
}
