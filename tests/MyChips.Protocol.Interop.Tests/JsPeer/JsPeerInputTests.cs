using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>The JavaScript responder driven by a bare C# client: raw-mode packets and malformed input.</summary>
public sealed class JsPeerInputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_raw_client_opens_a_channel_and_unknown_or_early_packets_are_ignored()
    {
        await using var responder = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0, Mode = "raw", Echo = true });
        using var me = AgentKey.Generate("127.0.0.1", 1);
        await using var client = await FrameClient.ConnectAsync(responder.Port!.Value);

        await client.SendAsync('Z', "not a MyCHIPs packet");
        await client.SendAsync('T', """{"early":true}""");
        await client.SendAsync('N', $"\"{me.Agent}\"");
        await client.SendAsync('K', """{"n":1}""");

        var ack = await client.ReceiveAsync(Timeout);
        Assert.Equal(('A', 0), (ack!.Value.Type, ack.Value.Body.Length));
        var echo = await client.ReceiveAsync(Timeout);
        Assert.Equal('T', echo!.Value.Type);
        Assert.Equal("""{"echo":{"n":1}}""", Encoding.UTF8.GetString(echo.Value.Body));

        await client.SendAsync('T', """{"n":2}""");
        var second = await client.ReceiveAsync(Timeout);
        Assert.Equal("""{"echo":{"n":2}}""", Encoding.UTF8.GetString(second!.Value.Body));
        // The echo can overtake the peer's stdout event line: wait for the event, not just the echo.
        await responder.WaitForEventAsync("received", e => e.GetProperty("packet").GetString() == "T");
        var received = responder.EventsNamed("received");
        Assert.Equal(["K", "T"], received.Select(e => e.GetProperty("packet").GetString()));
        Assert.All(received, e => Assert.Equal(me.Agent.ToString(), e.GetProperty("from").GetString()));
        Assert.Empty(responder.EventsNamed("rejected"));
    }

    [Fact]
    public async Task An_N_packet_that_does_not_decrypt_is_refused_and_the_connection_closed()
    {
        await using var responder = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0 });
        await using var client = await FrameClient.ConnectAsync(responder.Port!.Value);

        await client.SendAsync('N', RandomNumberGenerator.GetBytes(93));

        Assert.Null(await client.ReceiveAsync(Timeout)); // closed without an answer
        var rejected = await responder.WaitForEventAsync("rejected");
        Assert.StartsWith("N packet failed", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_N_packet_naming_no_valid_key_is_refused()
    {
        await using var responder = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0, Mode = "raw" });
        await using var client = await FrameClient.ConnectAsync(responder.Port!.Value);

        await client.SendAsync('N', "\"not-an-agent\"");

        Assert.Null(await client.ReceiveAsync(Timeout));
        var rejected = await responder.WaitForEventAsync("rejected");
        Assert.Equal("N packet names an invalid agent id: not-an-agent", rejected.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_bad_command_is_reported_and_the_peer_keeps_running()
    {
        await using var peer = await JsPeerProcess.StartAsync(new JsPeerOptions());

        await peer.CommandAsync(System.Text.Json.Nodes.JsonNode.Parse("""{"frobnicate":1}""")!);
        await peer.SendAsync(new System.Text.Json.Nodes.JsonObject { ["n"] = 1 }); // no target known

        var error = await peer.WaitForEventAsync("error");
        Assert.Contains("unknown command", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var dropped = await peer.WaitForEventAsync("dropped");
        Assert.Contains("no target agent", dropped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var stats = await peer.StatsAsync();
        Assert.Equal((0, 0, 1), stats);
    }

    [Fact]
    public async Task A_refused_connection_is_reported_as_dropped_and_the_peer_keeps_running()
    {
        using var nobody = AgentKey.Generate("127.0.0.1", 1);
        var closedPort = ClosedPort();
        await using var peer = await JsPeerProcess.StartAsync(new JsPeerOptions());

        await peer.SendToAsync(new System.Text.Json.Nodes.JsonObject { ["n"] = 1 }, nobody.Agent.ToString(), "127.0.0.1", closedPort);

        var dropped = await peer.WaitForEventAsync("dropped");
        Assert.Equal("connect failed: ECONNREFUSED", dropped.GetProperty("reason").GetString());
        Assert.Equal((0, 0, 1), await peer.StatsAsync()); // still answering
    }

    [Fact]
    public async Task Dispose_ends_the_node_process()
    {
        var peer = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0 });
        var id = peer.ProcessId;

        await peer.DisposeAsync();

        Assert.True(peer.HasExited);
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(id));
    }

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task A_bad_option_fails_the_start_with_the_reason()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => JsPeerProcess.StartAsync(new JsPeerOptions { Mode = "plain" }));

        Assert.Contains("--mode is encrypted, strict or raw", error.Message, StringComparison.Ordinal);
    }
}
