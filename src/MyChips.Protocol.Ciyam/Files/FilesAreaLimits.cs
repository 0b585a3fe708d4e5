namespace MyChips.Protocol.Ciyam.Files;

/// <summary>Bounds of a files area. The defaults are CIYAM's: files of at most 1,000,000 bytes.</summary>
public sealed record FilesAreaLimits
{
    /// <summary>The largest stored file (type byte included). Default 1,000,000 bytes.</summary>
    public int MaxFileBytes { get; init; } = 1_000_000;

    /// <summary>How many files the area holds at most. Default 10,000.</summary>
    public int MaxFiles { get; init; } = 10_000;

    /// <summary>How many bytes the area holds at most, all files together. Default 1 GiB.</summary>
    public long MaxTotalBytes { get; init; } = 1L << 30;

    internal void Validate()
    {
        if (MaxFileBytes < 2) throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), "A file holds at least its type byte and one byte.");
        if (MaxFiles < 1) throw new ArgumentOutOfRangeException(nameof(MaxFiles), "The area holds at least one file.");
        if (MaxTotalBytes < MaxFileBytes) throw new ArgumentOutOfRangeException(nameof(MaxTotalBytes), "The area holds at least one file of the largest size.");
    }
}
