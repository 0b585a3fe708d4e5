namespace MyChips.Protocol.Traversal.Tests;

/// <summary>How long a test waits for something that should happen at once before it fails.</summary>
internal static class Deadlines
{
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(10);
}
