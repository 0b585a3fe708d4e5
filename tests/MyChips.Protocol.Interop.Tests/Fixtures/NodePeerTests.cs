using System.Text.Json;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.Fixtures;

public sealed class NodePeerTests
{
    [Fact]
    public async Task Node_runs_with_the_installed_peer_packages()
    {
        // Reads a line, loads the three packages the MyCHIPs peer is built on, and answers in JSON.
        const string script = """
            const noise = require('noise-protocol');
            const frames = require('frame-stream');
            const sodium = require('sodium-native');
            let input = '';
            process.stdin.on('data', d => input += d);
            process.stdin.on('end', () => {
              const out = Buffer.alloc(32);
              sodium.crypto_generichash(out, Buffer.from(input.trim()));
              console.log(JSON.stringify({
                echo: input.trim().split('').reverse().join(''),
                blake2b: out.toString('hex'),
                noise: typeof noise.initialize,
                frames: typeof frames.encode,
              }));
            });
            """;

        var result = await NodePeer.RunAsync(["-e", script], TimeSpan.FromSeconds(60), standardInput: "hello peer\n");

        Assert.True(result.ExitCode == 0, result.Describe());
        using var answer = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("reep olleh", answer.RootElement.GetProperty("echo").GetString());
        Assert.Equal("function", answer.RootElement.GetProperty("noise").GetString());
        Assert.Equal("function", answer.RootElement.GetProperty("frames").GetString());
        var expected = Blake2b32("hello peer"); // computed independently on the .NET side
        Assert.Equal(expected, answer.RootElement.GetProperty("blake2b").GetString());
    }

    private static string Blake2b32(string text)
    {
        var digest = new Org.BouncyCastle.Crypto.Digests.Blake2bDigest(256);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        digest.BlockUpdate(bytes, 0, bytes.Length);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return Convert.ToHexStringLower(output);
    }
}
