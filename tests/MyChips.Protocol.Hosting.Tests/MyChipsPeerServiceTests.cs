using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MyChips.Protocol.Hosting;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Hosting.Tests;

public sealed class MyChipsPeerServiceTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("hosting-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_hosted_service_starts_the_node_serves_messages_and_stops_it_with_the_host()
    {
        using var siteKey = AgentKey.Generate("127.0.0.1", 0);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddMyChipsPeer(o =>
        {
            o.LocalKey = siteKey;
            o.Tickets.Add("hosted-ticket");
        });
        using var host = builder.Build();
        var service = host.Services.GetRequiredService<MyChipsPeerService>();
        Assert.False(service.WhenStarted.IsCompleted);

        await host.StartAsync();
        var node = await service.WhenStarted.WaitAsync(Deadline);
        Assert.Same(node, service.Node);
        Assert.Equal(siteKey.Agent, node.Agent);

        using var clientKey = AgentKey.Generate("127.0.0.1", 0);
        await using (var client = new PeerNode(new PeerNodeOptions { LocalKey = clientKey }))
        {
            await client.StartAsync();
            var site = new PeerDestination(node.Agent, "127.0.0.1", node.LocalEndPoint.Port);
            var ticket = new ConnectionTicket("hosted-ticket", DateTimeOffset.UtcNow.AddHours(1), new ChipAddress("site", node.Agent, "127.0.0.1", site.Port));
            await client.SendAsync(site, Encoding.UTF8.GetBytes("""{"hello":"host"}"""), ticket).WaitAsync(Deadline);
            using var read = new CancellationTokenSource(Deadline);
            var received = await node.Messages.ReadAsync(read.Token);
            Assert.Equal(clientKey.Agent, received.From);
            Assert.Contains("\"hello\":\"host\"", received.JsonText, StringComparison.Ordinal);
        }

        var port = node.LocalEndPoint.Port;
        await host.StopAsync();
        Assert.Throws<InvalidOperationException>(() => service.Node);
        Assert.False(await node.Messages.WaitToReadAsync().AsTask().WaitAsync(Deadline), "the inbox ends when the node stops");
        await using var late = new PeerNode(new PeerNodeOptions { LocalKey = clientKey });
        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() =>
            late.SendAsync(new PeerDestination(siteKey.Agent, "127.0.0.1", port), Encoding.UTF8.GetBytes("{}")).WaitAsync(Deadline));
        Assert.Equal(DeliveryFailure.ConnectFailed, failure.Reason);
    }

    [Fact]
    public void Options_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MyChipsPeer:KeyFile"] = "/keys/site.agk",
            ["MyChipsPeer:ListenAddress"] = "127.0.0.1",
            ["MyChipsPeer:Port"] = "65431",
            ["MyChipsPeer:Mode"] = "MyChipsJs",
            ["MyChipsPeer:Delivery"] = "Written",
            ["MyChipsPeer:HandshakeTimeout"] = "00:00:05",
            ["MyChipsPeer:IdleTimeout"] = "00:02:00",
            ["MyChipsPeer:KeyStore"] = "Postgres",
            ["MyChipsPeer:PostgresConnectionString"] = "Host=db;Database=mychips",
            ["MyChipsPeer:Tickets:0"] = "a",
            ["MyChipsPeer:Tickets:1"] = "b",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMyChipsPeer(configuration.GetSection(MyChipsPeerOptions.SectionName));

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<MyChipsPeerOptions>>().Value;

        Assert.Equal("/keys/site.agk", options.KeyFile);
        Assert.Equal("127.0.0.1", options.ListenAddress);
        Assert.Equal(65431, options.Port);
        Assert.Equal(PeerMode.MyChipsJs, options.Mode);
        Assert.Equal(DeliveryMode.Written, options.Delivery);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), options.IdleTimeout);
        Assert.Equal(KeyStoreKind.Postgres, options.KeyStore);
        Assert.Equal("Host=db;Database=mychips", options.PostgresConnectionString);
        Assert.Equal(["a", "b"], options.Tickets);
        Assert.Single(provider.GetServices<IHostedService>().OfType<MyChipsPeerService>());
    }

    [Fact]
    public async Task A_node_configured_from_a_key_file_listens_where_the_file_says_in_the_configured_mode()
    {
        using var key = AgentKey.Generate("127.0.0.1", 0);
        var path = Path.Combine(_folder, "site.agk");
        AgentKeyFile.Save(key, path);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["MyChipsPeer:KeyFile"] = path, ["MyChipsPeer:Mode"] = "Raw" });
        builder.Services.AddMyChipsPeer(builder.Configuration.GetSection(MyChipsPeerOptions.SectionName), o => o.IdleTimeout = TimeSpan.FromSeconds(7));
        using var host = builder.Build();

        await host.StartAsync();
        var node = host.Services.GetRequiredService<MyChipsPeerService>().Node;
        Assert.Equal(key.Agent, node.Agent);
        Assert.Equal(PeerMode.Raw, node.Options.Mode);
        Assert.Equal(TimeSpan.FromSeconds(7), node.Options.IdleTimeout);
        Assert.Equal(System.Net.IPAddress.Loopback, node.LocalEndPoint.Address);
        await host.StopAsync();
    }

    [Fact]
    public async Task Starting_without_a_key_fails_with_a_message_naming_the_setting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddMyChipsPeer(_ => { });
        using var host = builder.Build();
        var service = host.Services.GetRequiredService<MyChipsPeerService>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("MyChipsPeer:KeyFile", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => service.WhenStarted);
    }

    [Fact]
    public async Task A_missing_key_file_and_a_postgres_store_without_a_connection_string_are_named()
    {
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => StartWith(o => o.KeyFile = Path.Combine(_folder, "none.agk")));
        Assert.Contains("none.agk", missing.Message, StringComparison.Ordinal);

        using var key = AgentKey.Generate("127.0.0.1", 0);
        var noDatabase = await Assert.ThrowsAsync<InvalidOperationException>(() => StartWith(o => { o.LocalKey = key; o.KeyStore = KeyStoreKind.Postgres; }));
        Assert.Contains("PostgresConnectionString", noDatabase.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_node_reports_handshakes_bytes_and_open_connections_on_its_meter()
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "MyChips.Protocol.Peers") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (seen) seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value;
        });
        listener.Start();

        using var siteKey = AgentKey.Generate("127.0.0.1", 0);
        using var clientKey = AgentKey.Generate("127.0.0.1", 0);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddMyChipsPeer(o => { o.LocalKey = siteKey; o.Tickets.Add("metered"); });
        using var host = builder.Build();
        await host.StartAsync();
        var node = host.Services.GetRequiredService<MyChipsPeerService>().Node;
        await using (var client = new PeerNode(new PeerNodeOptions { LocalKey = clientKey }))
        {
            var ticket = new ConnectionTicket("metered", DateTimeOffset.UtcNow.AddHours(1), new ChipAddress("site", node.Agent, "127.0.0.1", node.LocalEndPoint.Port));
            await client.SendAsync(new PeerDestination(node.Agent, "127.0.0.1", node.LocalEndPoint.Port), Encoding.UTF8.GetBytes("{}"), ticket).WaitAsync(Deadline);
        }
        await host.StopAsync();

        lock (seen)
        {
            Assert.True(seen.GetValueOrDefault("mychips.peer.connections.opened") >= 2, string.Join(", ", seen));
            Assert.True(seen.GetValueOrDefault("mychips.peer.bytes.sent") > 0);
            Assert.True(seen.GetValueOrDefault("mychips.peer.bytes.received") > 0);
            Assert.True(seen.GetValueOrDefault("mychips.peer.messages.received") >= 1);
            Assert.True(seen.ContainsKey("mychips.peer.connections.active"));
            Assert.True(seen.ContainsKey("mychips.peer.messages.queued"));
            Assert.True(seen.ContainsKey("mychips.peer.connections.closed"));
        }
    }

    private static async Task StartWith(Action<MyChipsPeerOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddMyChipsPeer(configure);
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}
