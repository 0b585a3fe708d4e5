using System.Diagnostics;
using System.Text.Json;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.Noise;

/// <summary>
/// A running tests/interop-node/noise-peer.js: one side of a handshake with npm noise-protocol 3.0.2,
/// answering one JSON line per command.
/// </summary>
internal sealed class NodeNoisePeer : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private NodeNoisePeer(Process process) => _process = process;

    public static async Task<NodeNoisePeer> StartAsync(string pattern, bool initiator, byte[]? localSecret, byte[]? remotePublic)
    {
        await NodePeer.EnsureInstalledAsync();
        var start = new ProcessStartInfo(NodePeer.NodeExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            WorkingDirectory = NodePeer.Directory,
        };
        start.ArgumentList.Add("noise-peer.js");
        start.ArgumentList.Add(pattern);
        start.ArgumentList.Add(initiator ? "initiator" : "responder");
        start.ArgumentList.Add(localSecret is null ? "-" : Convert.ToHexStringLower(localSecret));
        start.ArgumentList.Add(remotePublic is null ? "-" : Convert.ToHexStringLower(remotePublic));
        return new NodeNoisePeer(Process.Start(start) ?? throw new InvalidOperationException("node did not start."));
    }

    public async Task<(byte[] Message, bool Done)> WriteAsync(ReadOnlyMemory<byte> payload)
    {
        var answer = await AskAsync(new { op = "write", payload = Convert.ToHexStringLower(payload.Span) });
        return (Hex(answer, "message"), answer.GetProperty("done").GetBoolean());
    }

    public async Task<(byte[] Payload, bool Done)> ReadAsync(ReadOnlyMemory<byte> message)
    {
        var answer = await AskAsync(new { op = "read", message = Convert.ToHexStringLower(message.Span) });
        return (Hex(answer, "payload"), answer.GetProperty("done").GetBoolean());
    }

    public async Task<byte[]> EncryptAsync(ReadOnlyMemory<byte> plaintext) =>
        Hex(await AskAsync(new { op = "encrypt", plaintext = Convert.ToHexStringLower(plaintext.Span) }), "ciphertext");

    /// <summary>The plaintext, or null when the JavaScript side could not decrypt.</summary>
    public async Task<byte[]?> DecryptAsync(ReadOnlyMemory<byte> ciphertext)
    {
        var answer = await AskAsync(new { op = "decrypt", ciphertext = Convert.ToHexStringLower(ciphertext.Span) }, errorIsAnAnswer: true);
        return answer.TryGetProperty("error", out _) ? null : Hex(answer, "plaintext");
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(AnswerTimeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private async Task<JsonElement> AskAsync(object command, bool errorIsAnAnswer = false)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(AnswerTimeout)
            ?? throw new InvalidOperationException("noise-peer.js exited without answering.");
        var answer = JsonDocument.Parse(line).RootElement.Clone();
        if (!errorIsAnAnswer && answer.TryGetProperty("error", out var error))
            throw new InvalidOperationException($"noise-peer.js: {error.GetString()}");
        return answer;
    }

    private static byte[] Hex(JsonElement answer, string property) => Convert.FromHexString(answer.GetProperty(property).GetString()!);
}
