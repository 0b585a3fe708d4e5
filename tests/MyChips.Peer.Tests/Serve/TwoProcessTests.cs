using System.Diagnostics;
using System.Text.Json;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Tests.Serve;

/// <summary>Two nodes in two processes: this test's node, and <c>mychips-peer serve</c> in a child process.</summary>
public class TwoProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.Raw)]
    public async Task A_node_here_and_a_node_in_another_process_exchange_messages(PeerMode mode)
    {
        using var key = AgentKey.Generate("127.0.0.1", 0);
        var keys = new InMemoryKeyProvider();
        await using var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode }, keys);
        await node.StartAsync();

        var dll = Path.Combine(AppContext.BaseDirectory, "mychips-peer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "serve", "--mode", mode.ToString(), "--echo", "--trust", $"{node.Agent}@127.0.0.1:{node.LocalEndPoint.Port}" })
            start.ArgumentList.Add(argument);
        using var child = Process.Start(start)!;
        try
        {
            var listening = await NextEventAsync(child, "listening");
            var remote = AgentId.Parse(listening.GetProperty("agent").GetString()!);
            var destination = new PeerDestination(remote, "127.0.0.1", listening.GetProperty("port").GetInt32());
            keys.Add(AgentRecord.FromId(remote, destination.Host, destination.Port));

            var receipt = await node.SendAsync(destination, """{"target":"tally","n":1}"""u8.ToArray()).WaitAsync(Deadline);
            var received = await NextEventAsync(child, "received");
            Assert.Equal(node.Agent.ToString(), received.GetProperty("from").GetString());
            Assert.Equal(1, received.GetProperty("message").GetProperty("n").GetInt32());
            Assert.Equal(DeliveryMode.Confirmed, receipt.Mode);

            using var cts = new CancellationTokenSource(Deadline);
            var echo = await node.Messages.ReadAsync(cts.Token);
            Assert.Equal(remote, echo.From);
            Assert.Equal("""{"echo":{"target":"tally","n":1}}""", echo.JsonText);
        }
        finally
        {
            child.StandardInput.Close();
            if (!child.WaitForExit(Deadline)) child.Kill(entireProcessTree: true);
        }
        Assert.Equal(0, child.ExitCode);
    }

    private static async Task<JsonElement> NextEventAsync(Process child, string name)
    {
        using var cts = new CancellationTokenSource(Deadline);
        while (true)
        {
            var line = await child.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException($"mychips-peer serve exited before '{name}'.");
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.GetProperty("event").GetString() == name) return document.RootElement.Clone();
        }
    }
}
