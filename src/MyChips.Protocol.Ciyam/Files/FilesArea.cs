namespace MyChips.Protocol.Ciyam.Files;

/// <summary>
/// A content-addressed files area in one folder: each file is named by its hash, verified before it is kept,
/// written to a temporary name and renamed into place (a reader never sees half a file, and a crash leaves none),
/// and bounded in size, count and total bytes.
/// </summary>
public sealed class FilesArea
{
    private const string PartialSuffix = ".partial";
    private readonly string _folder;
    private readonly FilesAreaLimits _limits;
    private readonly Lock _gate = new();
    private int _count;
    private long _bytes;

    public FilesArea(string folder, FilesAreaLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _limits = limits ?? new FilesAreaLimits();
        _limits.Validate();
        _folder = Directory.CreateDirectory(folder).FullName;
        // What an interrupted write left behind is not a file of the area.
        foreach (var partial in Directory.EnumerateFiles(_folder, "*" + PartialSuffix)) File.Delete(partial);
        foreach (var file in Directory.EnumerateFiles(_folder).Where(f => StoredFile.IsHash(Path.GetFileName(f))))
        {
            _count++;
            _bytes += new FileInfo(file).Length;
        }
    }

    /// <summary>The largest file the area keeps, type byte included.</summary>
    public int MaxFileBytes => _limits.MaxFileBytes;

    public int Count
    {
        get
        {
            lock (_gate) return _count;
        }
    }

    public long TotalBytes
    {
        get
        {
            lock (_gate) return _bytes;
        }
    }

    public bool Contains(string hash) => StoredFile.IsHash(hash) && File.Exists(PathOf(hash));

    /// <summary>The hashes of the files held, in no particular order.</summary>
    public IReadOnlyList<string> Hashes() =>
        Directory.EnumerateFiles(_folder).Select(Path.GetFileName).Where(StoredFile.IsHash).ToList()!;

    /// <summary>The stored bytes of a file, or null when the area has no such file.</summary>
    public byte[]? Read(string hash) => Contains(hash) ? File.ReadAllBytes(PathOf(hash)) : null;

    /// <summary>Keeps <paramref name="stored"/> if it hashes to <paramref name="hash"/> and fits the bounds.</summary>
    public StoreResult Store(string hash, ReadOnlySpan<byte> stored)
    {
        if (stored.Length < 2 || stored.Length > _limits.MaxFileBytes) return StoreResult.TooLarge;
        if (!StoredFile.IsHash(hash) || StoredFile.HashOf(stored) != hash) return StoreResult.HashMismatch;
        lock (_gate)
        {
            if (File.Exists(PathOf(hash))) return StoreResult.AlreadyStored;
            if (_count >= _limits.MaxFiles || _bytes + stored.Length > _limits.MaxTotalBytes) return StoreResult.AreaFull;
            var partial = PathOf(hash) + PartialSuffix;
            try
            {
                using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
                {
                    file.Write(stored);
                    file.Flush(flushToDisk: true);
                }
                File.Move(partial, PathOf(hash));
            }
            catch
            {
                File.Delete(partial);
                throw;
            }
            _count++;
            _bytes += stored.Length;
            return StoreResult.Stored;
        }
    }

    /// <summary>The proof of storage for <c>chk &lt;hash&gt; &lt;nonce&gt;</c>, or null when the file is not here.</summary>
    public string? Prove(string hash, string nonce) => Read(hash) is { } stored ? StoredFile.ProofOfStorage(nonce, stored) : null;

    private string PathOf(string hash) => Path.Combine(_folder, hash);
}
