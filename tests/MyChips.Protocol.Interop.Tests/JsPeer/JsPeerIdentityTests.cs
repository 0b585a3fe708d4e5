using MyChips.Protocol.Keys;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>The JavaScript peer and the C# key code derive the same identities.</summary>
public sealed class JsPeerIdentityTests
{
    [Fact]
    public async Task A_seed_gives_the_same_agent_and_noise_key_in_both()
    {
        var seed = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        using var key = AgentKey.FromSeed(seed, "127.0.0.1", 1);

        await using var peer = await JsPeerProcess.StartAsync(new JsPeerOptions { SeedHex = Convert.ToHexStringLower(seed) });

        Assert.Equal(key.Agent.ToString(), peer.Agent);
        Assert.Equal(Convert.ToHexStringLower(key.NoisePublicKey), peer.NoiseKeyHex);
        Assert.Equal(Convert.ToHexStringLower(NoiseStaticKey.FromAgent(AgentId.Parse(peer.Agent))), peer.NoiseKeyHex);
    }

    [Fact]
    public async Task A_key_file_in_the_form_mychips_writes_is_the_same_identity_in_both()
    {
        // Node's JWK export (property order crv, d, x, kty) and the port as a string, as bin/agentkey writes.
        var seed = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();
        using var expected = AgentKey.FromSeed(seed, "127.0.0.1", 65430);
        var d = System.Buffers.Text.Base64Url.EncodeToString(seed);
        var json = $$$"""{"host":"127.0.0.1","port":"65430","key":{"crv":"Ed25519","d":"{{{d}}}","x":"{{{expected.Agent}}}","kty":"OKP"}}""";
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, json);
            using var parsed = AgentKeyFile.Load(path);

            await using var peer = await JsPeerProcess.StartAsync(new JsPeerOptions { KeyFile = path });

            Assert.Equal(expected.Agent, parsed.Agent);
            Assert.Equal(65430, parsed.Port);
            Assert.Equal(expected.Agent.ToString(), peer.Agent);
            Assert.Equal(Convert.ToHexStringLower(parsed.NoisePublicKey), peer.NoiseKeyHex);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_agent_key_file_written_in_csharp_is_the_same_identity_in_javascript()
    {
        var folder = Directory.CreateTempSubdirectory("agk-");
        try
        {
            using var key = AgentKey.Generate("127.0.0.1", 65430);
            var path = Path.Combine(folder.FullName, key.Agent + AgentKeyFile.Extension);
            AgentKeyFile.Save(key, path);

            await using var peer = await JsPeerProcess.StartAsync(new JsPeerOptions { KeyFile = path });

            Assert.Equal(key.Agent.ToString(), peer.Agent);
            Assert.Equal(Convert.ToHexStringLower(key.NoisePublicKey), peer.NoiseKeyHex);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
