namespace MyChips.Protocol.Ciyam.Files;

/// <summary>What became of a file offered to a files area.</summary>
public enum StoreResult
{
    /// <summary>Kept, under its hash.</summary>
    Stored,

    /// <summary>Already there: nothing written (CIYAM answers such a transfer with <c>(okay skip)</c>).</summary>
    AlreadyStored,

    /// <summary>Its bytes do not hash to the name it came under: dropped.</summary>
    HashMismatch,

    /// <summary>Larger than <see cref="FilesAreaLimits.MaxFileBytes"/>, or empty.</summary>
    TooLarge,

    /// <summary>The area is full, by count or by bytes.</summary>
    AreaFull,
}
