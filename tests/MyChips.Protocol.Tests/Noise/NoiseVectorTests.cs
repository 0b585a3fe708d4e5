using System.Text.Json;
using MyChips.Peer.NoiseVectors;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>
/// Every vector of cacophony and snow's multi-PSK file must pass, X25519 and X448 alike: a skipped
/// vector fails the test as a failed one does.
/// </summary>
public class NoiseVectorTests
{
    private static readonly Dictionary<string, JsonElement[]> Files = new[] { "cacophony.txt", "snow-multipsk.txt" }
        .ToDictionary(name => name, Load);

    public static TheoryData<string, int, string> AllVectors()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (file, vectors) in Files)
        {
            for (var i = 0; i < vectors.Length; i++)
                data.Add(file, i, vectors[i].GetProperty("protocol_name").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public void Vector_passes(string file, int index, string protocolName)
    {
        var result = NoiseVectorChecker.CheckVector(Files[file][index], index);
        Assert.Equal(protocolName, result.ProtocolName);
        Assert.True(result.Outcome == VectorOutcome.Passed, result.ToString());
    }

    [Theory]
    [InlineData("cacophony.txt", 472, 472)]
    [InlineData("snow-multipsk.txt", 104, 0)]
    public void Every_vector_passes_and_none_is_skipped(string file, int x25519Count, int x448Count)
    {
        var results = Files[file].Select(NoiseVectorChecker.CheckVector).ToList();
        Assert.Equal(x25519Count, results.Count(r => r.ProtocolName.Contains("_25519_", StringComparison.Ordinal)));
        Assert.Equal(x448Count, results.Count(r => r.ProtocolName.Contains("_448_", StringComparison.Ordinal)));
        Assert.Equal(x25519Count + x448Count, results.Count);
        Assert.All(results, r => Assert.True(r.Outcome == VectorOutcome.Passed, r.ToString()));
    }

    private static JsonElement[] Load(string file)
    {
        var path = Path.Combine(RepositoryPaths.Shared, "vectors", "noise", file);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone()).ToArray();
    }
}
