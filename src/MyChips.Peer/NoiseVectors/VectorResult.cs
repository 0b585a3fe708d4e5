namespace MyChips.Peer.NoiseVectors;

public enum VectorOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>The outcome of one vector; <see cref="Detail"/> says why it failed or was skipped.</summary>
public sealed record VectorResult(int Index, string ProtocolName, VectorOutcome Outcome, string? Detail = null)
{
    public override string ToString() =>
        Detail is null ? $"#{Index} {ProtocolName}: {Outcome}" : $"#{Index} {ProtocolName}: {Outcome}: {Detail}";
}

/// <summary>The outcomes of every vector in a file, and the summary line.</summary>
public sealed record VectorReport(IReadOnlyList<VectorResult> Results)
{
    public int Passed => Results.Count(r => r.Outcome == VectorOutcome.Passed);

    public int Failed => Results.Count(r => r.Outcome == VectorOutcome.Failed);

    public int Skipped => Results.Count(r => r.Outcome == VectorOutcome.Skipped);

    /// <summary>"N passed, N failed, N skipped".</summary>
    public string Summary => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}
