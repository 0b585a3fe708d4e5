namespace MyChips.Protocol.Ciyam.Transfer;

/// <summary>
/// A file's payload after a non-inline header: base64 of the stored bytes, cut into chunks of exactly the
/// announced number of characters, the last one padded with <c>.</c>; each chunk is acknowledged with
/// <c>(okay more)</c> before the next.
/// </summary>
public static class Chunks
{
    public const char Padding = '.';

    /// <summary>The chunks that carry <paramref name="stored"/>.</summary>
    public static IEnumerable<string> Split(byte[] stored, int chunk)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var text = Convert.ToBase64String(stored);
        for (var at = 0; at < text.Length; at += chunk)
        {
            var part = text.Substring(at, Math.Min(chunk, text.Length - at));
            yield return part.PadRight(chunk, Padding);
        }
    }

    /// <summary>How many chunks a file of <paramref name="size"/> stored bytes takes.</summary>
    public static long CountFor(long size, int chunk) => ((size + 2) / 3 * 4 + chunk - 1) / chunk;

    /// <summary>
    /// Joins received chunks back into the stored bytes. False when a chunk has the wrong length, padding
    /// anywhere but the end, or the base64 does not decode to <paramref name="size"/> bytes.
    /// </summary>
    public static bool TryJoin(IReadOnlyList<string> chunks, long size, int chunk, out byte[]? stored)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        stored = null;
        if (chunks.Count != CountFor(size, chunk) || chunks.Any(c => c.Length != chunk)) return false;
        var text = string.Concat(chunks).TrimEnd(Padding);
        if (text.Contains(Padding, StringComparison.Ordinal)) return false;
        var bytes = new byte[size];
        if (!Convert.TryFromBase64String(text, bytes, out var written) || written != size) return false;
        stored = bytes;
        return true;
    }
}
