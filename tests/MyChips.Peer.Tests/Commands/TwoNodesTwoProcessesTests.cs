using System.Text.Json;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Tests.Commands;

/// <summary>
/// Two nodes in two processes with no ticket: a <see cref="PeerNode"/> here opens a later (N+KK) connection to
/// <c>mychips-peer run --known</c> in a child process, which knows this node's agent, and gets its echo back.
/// </summary>
public sealed class TwoNodesTwoProcessesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("two-nodes-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(PeerMode.Strict, "strict")]
    [InlineData(PeerMode.Raw, "raw")]
    public async Task A_node_here_and_a_node_in_another_process_exchange_messages(PeerMode mode, string modeName)
    {
        using var key = AgentKey.Generate("127.0.0.1", 0);
        var keys = new InMemoryKeyProvider();
        await using var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode }, keys);
        await node.StartAsync();
        var (siteKey, siteAgent) = CliHarness.WriteKey(_folder, "site");

        using var run = PeerProcess.Start(_folder, "run", "--key", siteKey, "--port", "0", "--mode", modeName, "--echo",
            "--known", $"{node.Agent}@127.0.0.1:{node.LocalEndPoint.Port}");
        var stdout = run.Output;
        var listening = JsonDocument.Parse(await stdout.WaitForLineAsync("\"listening\"", CliHarness.Deadline)).RootElement;
        var destination = PeerDestination.Parse(listening.GetProperty("listening").GetString()!);
        Assert.Equal(siteAgent, destination.Agent);
        keys.Add(AgentRecord.FromId(destination.Agent, destination.Host, destination.Port));

        var receipt = await node.SendAsync(destination, """{"target":"tally","n":1}"""u8.ToArray()).WaitAsync(CliHarness.Deadline);
        var received = JsonDocument.Parse(await stdout.WaitForLineAsync("\"n\":1", CliHarness.Deadline)).RootElement;
        using var cts = new CancellationTokenSource(CliHarness.Deadline);
        var echo = await node.Messages.ReadAsync(cts.Token);

        Assert.Equal(DeliveryMode.Confirmed, receipt.Mode);
        Assert.Equal(node.Agent.ToString(), received.GetProperty("from").GetString());
        Assert.Equal(siteAgent, echo.From);
        // The compatible modes stamp the first message's sender, as the deployed peer does.
        var from = mode == PeerMode.Strict ? "" : $$$""","from":{"agent":"{{{node.Agent}}}","host":"127.0.0.1","port":{{{node.LocalEndPoint.Port}}}}""";
        Assert.Equal("""{"echo":{"target":"tally","n":1""" + from + "}}", echo.JsonText);
    }
}
