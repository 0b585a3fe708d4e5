using System.Collections.Concurrent;

namespace MyChips.Protocol.Ciyam.Storage;

/// <summary>
/// What a node keeps sealed for others: the original content hash, the hash of the sealed file in the files area,
/// and the keeper's public half the owner needs to open it. Kept in one text file, a line per entry.
/// </summary>
public sealed class KeptFiles
{
    private readonly string _path;
    private readonly ConcurrentDictionary<string, KeptFile> _bySource = new();
    private readonly Lock _writing = new();

    public KeptFiles(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        if (!File.Exists(path)) return;
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ');
            if (parts.Length == 3) _bySource[parts[0]] = new KeptFile(parts[0], parts[1], Convert.FromBase64String(parts[2]));
        }
    }

    public int Count => _bySource.Count;

    public KeptFile? Find(string sourceHash) => _bySource.GetValueOrDefault(sourceHash);

    public void Add(KeptFile kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        lock (_writing)
        {
            if (!_bySource.TryAdd(kept.SourceHash, kept)) return;
            File.AppendAllText(_path, $"{kept.SourceHash} {kept.SealedHash} {Convert.ToBase64String(kept.KeeperPublicKey)}\n");
        }
    }
}

/// <summary>One file kept sealed for its owner.</summary>
public sealed record KeptFile(string SourceHash, string SealedHash, byte[] KeeperPublicKey);
