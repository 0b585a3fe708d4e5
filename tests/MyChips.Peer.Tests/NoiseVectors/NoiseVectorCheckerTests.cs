using System.CommandLine;
using System.Text.Json.Nodes;
using MyChips.Peer.NoiseVectors;
using MyChips.Protocol.Testing;

namespace MyChips.Peer.Tests.NoiseVectors;

public sealed class NoiseVectorCheckerTests : IDisposable
{
    private static readonly string VectorFolder = Path.Combine(RepositoryPaths.Shared, "vectors", "noise");
    private readonly string _folder = Directory.CreateTempSubdirectory("noise-vectors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Cacophony_passes_every_vector()
    {
        var report = NoiseVectorChecker.CheckFile(Path.Combine(VectorFolder, "cacophony.txt"));
        Assert.Equal("944 passed, 0 failed, 0 skipped", report.Summary);
    }

    [Fact]
    public void A_tampered_ciphertext_fails_its_vector()
    {
        var path = WriteVariant("cacophony.txt", vectors =>
        {
            var message = vectors[0]!["messages"]![3]!;
            message["ciphertext"] = Flip(message["ciphertext"]!.GetValue<string>());
        });
        var report = NoiseVectorChecker.CheckFile(path);
        Assert.Equal(1, report.Failed);
        Assert.Equal(VectorOutcome.Failed, report.Results[0].Outcome);
        Assert.Contains("message 3", report.Results[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_handshake_hash_fails_its_vector()
    {
        var path = WriteVariant("cacophony.txt", vectors => vectors[1]!["handshake_hash"] = Flip(vectors[1]!["handshake_hash"]!.GetValue<string>()));
        var report = NoiseVectorChecker.CheckFile(path);
        Assert.Equal(1, report.Failed);
        Assert.Contains("handshake hash", report.Results[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Vectors_without_a_handshake_hash_still_check_their_messages()
    {
        var clean = NoiseVectorChecker.CheckFile(Path.Combine(VectorFolder, "snow-multipsk.txt"));
        Assert.Equal("104 passed, 0 failed, 0 skipped", clean.Summary);

        var path = WriteVariant("snow-multipsk.txt", vectors =>
        {
            var messages = vectors[5]!["messages"]!.AsArray();
            var last = messages[messages.Count - 1]!;
            last["payload"] = Flip(last["payload"]!.GetValue<string>());
        });
        var report = NoiseVectorChecker.CheckFile(path);
        Assert.Equal("103 passed, 1 failed, 0 skipped", report.Summary);
    }

    [Fact]
    public void Unsupported_protocols_are_skipped_and_malformed_ones_fail()
    {
        var path = WriteVariant("cacophony.txt", vectors =>
        {
            vectors[0]!["protocol_name"] = "Noise_NN_25519_ChaChaPoly_MD5";
            vectors[1]!["protocol_name"] = "Noise_NNfallback_25519_ChaChaPoly_SHA256";
            vectors[2]!["protocol_name"] = "Noise_NN";
        });
        var report = NoiseVectorChecker.CheckFile(path);
        Assert.Equal(VectorOutcome.Skipped, report.Results[0].Outcome);
        Assert.Contains("'MD5'", report.Results[0].Detail, StringComparison.Ordinal);
        Assert.Equal(VectorOutcome.Skipped, report.Results[1].Outcome);
        Assert.Equal(VectorOutcome.Failed, report.Results[2].Outcome);
        Assert.Equal("941 passed, 1 failed, 2 skipped", report.Summary);

        var (exit, output, error) = Invoke("noise-vectors", "--verbose", path);
        Assert.Equal(1, exit);
        Assert.Equal("941 passed, 1 failed, 2 skipped", output.Trim());
        Assert.Contains("#1 Noise_NNfallback_25519_ChaChaPoly_SHA256: Skipped", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_prints_the_counts_and_exits_0()
    {
        var (exit, output, error) = Invoke("noise-vectors", Path.Combine(VectorFolder, "cacophony.txt"));
        Assert.Equal(0, exit);
        Assert.Equal("944 passed, 0 failed, 0 skipped", output.Trim());
        Assert.Equal("", error);
    }

    [Fact]
    public void The_command_exits_1_when_a_vector_fails()
    {
        var path = WriteVariant("cacophony.txt", vectors => vectors[0]!["messages"]![0]!["ciphertext"] = "00");
        var (exit, output, error) = Invoke("noise-vectors", path);
        Assert.Equal(1, exit);
        Assert.Equal("943 passed, 1 failed, 0 skipped", output.Trim());
        Assert.Contains("#0 Noise_NN_25519_AESGCM_BLAKE2b: Failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_exits_2_with_a_message_for_a_missing_file()
    {
        var missing = Path.Combine(_folder, "no-such-file.json");
        var (exit, output, error) = Invoke("noise-vectors", missing);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("no-such-file.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_exits_2_for_a_file_that_is_not_a_vector_file()
    {
        var path = Path.Combine(_folder, "bad.json");
        File.WriteAllText(path, "{ not json");
        Assert.Equal(2, Invoke("noise-vectors", path).Exit);
        File.WriteAllText(path, "[1, 2]");
        var (exit, _, error) = Invoke("noise-vectors", path);
        Assert.Equal(2, exit);
        Assert.Contains("\"vectors\"", error, StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand { NoiseVectorsCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private string WriteVariant(string file, Action<JsonArray> change)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(VectorFolder, file)))!;
        change(document["vectors"]!.AsArray());
        var path = Path.Combine(_folder, "variant-" + file);
        File.WriteAllText(path, document.ToJsonString());
        return path;
    }

    private static string Flip(string hex) => (hex[0] == '0' ? "1" : "0") + hex[1..];
}
