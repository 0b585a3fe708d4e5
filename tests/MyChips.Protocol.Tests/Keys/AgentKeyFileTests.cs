using System.Text.Json;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Tests.Keys;

public sealed class AgentKeyFileTests
{
    // As MyCHIPs's bin/agentkey writes it: Node's JWK export (property order crv, d, x, kty) and the
    // default port as a string. Seed 01 02 .. 20.
    private const string MyChipsFile =
        """{"host":"peer.example","port":"65430","key":{"crv":"Ed25519","d":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA","x":"ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ","kty":"OKP"}}""";

    private const string Agent = "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ";
    private const string D = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA";

    [Fact]
    public void A_file_written_by_mychips_is_read()
    {
        using var key = AgentKeyFile.Parse(MyChipsFile);

        Assert.Equal(Agent, key.Agent.ToString());
        Assert.Equal("peer.example", key.Host);
        Assert.Equal(65430, key.Port);
        Assert.Equal(Convert.FromHexString("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"), key.Ed25519Seed.ToArray());
    }

    [Fact]
    public void The_written_json_is_the_mychips_shape_and_reads_back()
    {
        using var key = AgentKey.Generate("peer.example", 65431);

        var json = AgentKeyFile.ToJson(key);

        using (var document = JsonDocument.Parse(json))
        {
            var root = document.RootElement;
            Assert.Equal("peer.example", root.GetProperty("host").GetString());
            Assert.Equal(65431, root.GetProperty("port").GetInt32());
            var jwk = root.GetProperty("key");
            Assert.Equal("OKP", jwk.GetProperty("kty").GetString());
            Assert.Equal("Ed25519", jwk.GetProperty("crv").GetString());
            Assert.Equal(key.Agent.ToString(), jwk.GetProperty("x").GetString());
            Assert.Equal(43, jwk.GetProperty("d").GetString()!.Length);
        }
        using var back = AgentKeyFile.Parse(json);
        Assert.Equal(key.Agent, back.Agent);
        Assert.Equal(key.Ed25519Seed.ToArray(), back.Ed25519Seed.ToArray());
        Assert.Equal((key.Host, key.Port), (back.Host, back.Port));
    }

    [Fact]
    public void Save_and_load_round_trip_through_an_owner_only_file()
    {
        var folder = Directory.CreateTempSubdirectory("agentkey-");
        try
        {
            using var key = AgentKey.Generate("localhost", 65432);
            var path = Path.Combine(folder.FullName, key.Agent + AgentKeyFile.Extension);

            AgentKeyFile.Save(key, path);
            AgentKeyFile.Save(key, path); // replacing an existing file works
            using var loaded = AgentKeyFile.Load(path);

            Assert.Equal(key.Agent, loaded.Agent);
            Assert.Equal(key.NoisePrivateKey.ToArray(), loaded.NoisePrivateKey.ToArray());
            Assert.Single(folder.GetFiles()); // no temporary file left behind
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Loading_a_bad_file_names_the_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, MyChipsFile.Replace("\"OKP\"", "\"EC\"", StringComparison.Ordinal));
            var error = Assert.Throws<FormatException>(() => AgentKeyFile.Load(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("kty 'EC'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string, string> BadFiles() => new()
    {
        { "not json", "not JSON" },
        { "[1,2]", "expected a JSON object" },
        { Without("host"), "no 'host'" },
        { MyChipsFile.Replace("\"65430\"", "\"http\"", StringComparison.Ordinal), "'port' must be a number" },
        { MyChipsFile.Replace("\"65430\"", "70000", StringComparison.Ordinal), "'port' must be a number" },
        { """{"host":"h","port":1}""", "'key' (an Ed25519 JWK object) is missing" },
        { MyChipsFile.Replace("\"OKP\"", "\"RSA\"", StringComparison.Ordinal), "kty 'RSA', expected 'OKP'" },
        { MyChipsFile.Replace("\"Ed25519\"", "\"X25519\"", StringComparison.Ordinal), "'X25519': agent keys are Ed25519" },
        { MyChipsFile.Replace("\"Ed25519\"", "\"Ed448\"", StringComparison.Ordinal), "crv 'Ed448', expected 'Ed25519'" },
        { MyChipsFile.Replace(D, "AQID*AUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA", StringComparison.Ordinal), "key.d is not valid base64url" },
        { MyChipsFile.Replace(D, "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e", StringComparison.Ordinal), "key.d decodes to 30 bytes" },
        { MyChipsFile.Replace(Agent, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", StringComparison.Ordinal), "key.x does not match key.d" },
        { MyChipsFile.Replace($"\"x\":\"{Agent}\",", "", StringComparison.Ordinal), "no 'key.x'" },
        { MyChipsFile.Replace($"\"d\":\"{D}\"", "\"d\":42", StringComparison.Ordinal), "'key.d' must be a non-empty string" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_file_is_refused_with_a_message_that_says_why(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => AgentKeyFile.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static string Without(string property)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(MyChipsFile)!.AsObject();
        node.Remove(property);
        return node.ToJsonString();
    }
}
