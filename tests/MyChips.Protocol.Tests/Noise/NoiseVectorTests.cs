using System.Text.Json;
using MyChips.Peer.NoiseVectors;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>
/// Every X25519 vector of cacophony and snow's multi-PSK file must pass; a skipped X25519 vector fails
/// the test. Curve448 vectors are outside this engine and may be skipped.
/// </summary>
public class NoiseVectorTests
{
    private static readonly Dictionary<string, JsonElement[]> Files = new[] { "cacophony.txt", "snow-multipsk.txt" }
        .ToDictionary(name => name, Load);

    public static TheoryData<string, int, string> X25519Vectors()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (file, vectors) in Files)
        {
            for (var i = 0; i < vectors.Length; i++)
            {
                var name = vectors[i].GetProperty("protocol_name").GetString()!;
                if (name.Contains("_25519_", StringComparison.Ordinal))
                    data.Add(file, i, name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(X25519Vectors))]
    public void X25519_vector_passes(string file, int index, string protocolName)
    {
        var result = NoiseVectorChecker.CheckVector(Files[file][index], index);
        Assert.Equal(protocolName, result.ProtocolName);
        Assert.True(result.Outcome == VectorOutcome.Passed, result.ToString());
    }

    [Theory]
    [InlineData("cacophony.txt", 472, 472)]
    [InlineData("snow-multipsk.txt", 104, 0)]
    public void Every_X25519_vector_passes_and_only_448_ones_are_skipped(string file, int x25519Count, int curve448Count)
    {
        var results = Files[file].Select(NoiseVectorChecker.CheckVector).ToList();
        var x25519 = results.Where(r => r.ProtocolName.Contains("_25519_", StringComparison.Ordinal)).ToList();
        Assert.Equal(x25519Count, x25519.Count);
        Assert.All(x25519, r => Assert.Equal(VectorOutcome.Passed, r.Outcome));
        var others = results.Except(x25519).ToList();
        Assert.Equal(curve448Count, others.Count);
        Assert.All(others, r =>
        {
            Assert.Contains("_448_", r.ProtocolName, StringComparison.Ordinal);
            Assert.Equal(VectorOutcome.Skipped, r.Outcome);
        });
    }

    private static JsonElement[] Load(string file)
    {
        var path = Path.Combine(RepositoryPaths.Shared, "vectors", "noise", file);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone()).ToArray();
    }
}
