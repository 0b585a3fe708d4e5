using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Transfer;

/// <summary>
/// A file crossing the wire after a <c>get</c> or <c>put</c>: the header line (the file inline when small), then,
/// once the receiver answers <c>(okay more)</c>, base64 chunks each acknowledged with <c>(okay more)</c>. A receiver
/// that already holds the file answers <c>(okay skip)</c>. The receiver checks size and hash before keeping it.
/// </summary>
internal static class FileTransfer
{
    /// <summary>The chunk this node sends in: a multiple of 4 base64 characters.</summary>
    public const int DefaultChunk = 4_096;

    /// <summary>Sends <paramref name="stored"/>; false when the receiver already held it and skipped it.</summary>
    public static async Task<bool> SendAsync(ICiyamLines wire, byte[] stored, TimeSpan timeout, int chunk = DefaultChunk)
    {
        var header = TransferHeader.For(stored, chunk);
        await wire.WriteLineAsync(header.ToLine()).ConfigureAwait(false);
        if (header.Inline is not null) return true;
        var reply = await wire.ReadLineAsync(CiyamReplies.MaxCommandLine, timeout).ConfigureAwait(false);
        if (reply == CiyamReplies.OkaySkip) return false;
        foreach (var part in Chunks.Split(stored, chunk))
        {
            Expect(reply, CiyamReplies.OkayMore);
            await wire.WriteAsync(part).ConfigureAwait(false);
            reply = await wire.ReadLineAsync(CiyamReplies.MaxCommandLine, timeout).ConfigureAwait(false);
        }
        Expect(reply, CiyamReplies.OkayMore);
        return true;
    }

    /// <summary>
    /// Receives the file named <paramref name="hash"/>: its stored bytes, or null when <paramref name="alreadyHeld"/>
    /// let the receiver skip it.
    /// </summary>
    public static async Task<byte[]?> ReceiveAsync(ICiyamLines wire, string hash, int maxFileBytes, bool alreadyHeld, TimeSpan timeout)
    {
        var line = await wire.ReadLineAsync(CiyamReplies.MaxHeaderLine + 100, timeout).ConfigureAwait(false);
        if (line.StartsWith(CiyamReplies.ErrorPrefix, StringComparison.Ordinal)) throw new CiyamProtocolException("the peer answered " + line);
        if (!TransferHeader.TryParse(line, maxFileBytes, out var header, out var problem)) throw new CiyamProtocolException("bad transfer header: " + problem);
        var stored = header!.Inline;
        if (stored is null)
        {
            if (alreadyHeld)
            {
                await wire.WriteLineAsync(CiyamReplies.OkaySkip).ConfigureAwait(false);
                return null;
            }
            var parts = new List<string>();
            for (var i = 0L; i < Chunks.CountFor(header.Size, header.Chunk); i++)
            {
                await wire.WriteLineAsync(CiyamReplies.OkayMore).ConfigureAwait(false);
                parts.Add(await wire.ReadChunkAsync(header.Chunk, timeout).ConfigureAwait(false));
            }
            await wire.WriteLineAsync(CiyamReplies.OkayMore).ConfigureAwait(false);
            if (!Chunks.TryJoin(parts, header.Size, header.Chunk, out stored)) throw new CiyamProtocolException("the chunks do not carry the announced file");
        }
        if (StoredFile.HashOf(stored!) != hash) throw new CiyamProtocolException($"the file received does not hash to {hash}");
        return stored;
    }

    private static void Expect(string reply, string expected)
    {
        if (reply != expected) throw new CiyamProtocolException($"expected {expected}, the peer answered '{reply}'");
    }
}
