using System.Text;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Wire;

/// <summary>
/// CIYAM's lines over an engine connection, for a step that holds the read turn: each line read is the spec's
/// packet (a command, a reply, or the any-line <c>Data</c>) turned back into its text, each line written goes out as
/// the packet it spells. Every read has the caller's deadline; what the engine throws becomes
/// <see cref="CiyamProtocolException"/> with CIYAM's words.
/// </summary>
internal sealed class CiyamLink(ProtocolConnection connection, Action<TimeSpan>? waiting) : ICiyamLines
{
    public async Task<string> ReadLineAsync(int maxLength, TimeSpan timeout)
    {
        waiting?.Invoke(timeout);
        var received = await Translate(connection.ReadPacketAsync(timeout)).ConfigureAwait(false);
        var body = Encoding.UTF8.GetString(received.Body.Span);
        var line = (PacketType)received.Packet.Type == PacketType.Data ? body : body.Length == 0 ? received.Packet.Keyword : received.Packet.Keyword + " " + body;
        return line.Length <= maxLength ? line : throw new CiyamProtocolException($"a line is longer than the {maxLength}-byte maximum");
    }

    public async Task<string> ReadChunkAsync(int count, TimeSpan timeout)
    {
        waiting?.Invoke(timeout);
        return Encoding.ASCII.GetString(await Translate(connection.ReadRawAsync(count, timeout)).ConfigureAwait(false));
    }

    public Task WriteLineAsync(string line)
    {
        var (type, body) = Spell(line);
        return Translate(connection.SendAsync((byte)type, Encoding.UTF8.GetBytes(body)));
    }

    public Task WriteAsync(string text) => Translate(connection.WriteRawAsync(Encoding.ASCII.GetBytes(text)));

    /// <summary>
    /// The packet a line is: a reply by its whole text, a command this side may send by its first word, else a data
    /// line (a help line that starts with <c>tls</c> is text, not the command).
    /// </summary>
    private (PacketType Type, string Body) Spell(string line)
    {
        if (Mine(line) is { } reply && reply.Keyword.Contains('(', StringComparison.Ordinal)) return ((PacketType)reply.Type, "");
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (Mine(space < 0 ? line : line[..space]) is { } command && !command.Keyword.Contains('(', StringComparison.Ordinal))
            return ((PacketType)command.Type, space < 0 ? "" : line[(space + 1)..]);
        return (PacketType.Data, line);
    }

    private PacketDescriptor? Mine(string keyword) =>
        connection.Protocol.TryGetPacket(Encoding.ASCII.GetBytes(keyword), out var packet) && packet.IsSentBy(connection.Role) && packet != connection.Protocol.AnyLinePacket ? packet : null;

    private static async Task Translate(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e) when (Problem(e) is { } problem)
        {
            throw problem;
        }
    }

    private static async Task<T> Translate<T>(ValueTask<T> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception e) when (Problem(e) is { } problem)
        {
            throw problem;
        }
    }

    private static CiyamProtocolException? Problem(Exception e) => e switch
    {
        TimeoutException => new CiyamProtocolException("the peer stopped answering (timeout)", e),
        EndOfStreamException => new CiyamProtocolException("the peer closed the connection", e),
        InvalidDataException or ArgumentOutOfRangeException => new CiyamProtocolException(e.Message, e),
        InvalidOperationException or IOException => new CiyamProtocolException("the connection failed: " + e.Message, e),
        _ => null,
    };
}
