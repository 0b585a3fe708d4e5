using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using Npgsql;

namespace MyChips.Protocol.Postgres.Tests;

/// <summary>Databases that hang or are not there: every call ends with a clear error, none hangs.</summary>
public sealed class UnreachableDatabaseTests
{
    private static readonly PostgresKeyStoreOptions Quick = new()
    {
        OperationTimeout = TimeSpan.FromMilliseconds(300),
        ReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    };

    private static readonly AgentId SomeAgent = TestDatabase.NewAgent().Agent;

    [Fact]
    public async Task A_lookup_on_a_server_that_never_answers_ends_with_a_timeout_error_naming_the_server()
    {
        using var silent = new SilentServer();
        await using var provider = PostgresKeyProvider.Create(silent.ConnectionString(), Quick);

        var error = await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () => await provider.FindAgentAsync(SomeAgent)).Within();

        Assert.Contains($"127.0.0.1:{silent.Port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer in time", error.Message, StringComparison.Ordinal);
        Assert.Contains($"look up agent {SomeAgent}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redemption_on_a_server_that_never_answers_is_an_error_not_an_acceptance()
    {
        using var silent = new SilentServer();
        await using var store = PostgresTicketStore.Create(silent.ConnectionString(), Quick);

        var error = await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () =>
            await store.RedeemAsync(new TicketPresentation("token", SomeAgent))).Within();

        Assert.Contains("redeem a ticket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_deadline_holds_even_when_the_data_source_would_wait_much_longer()
    {
        using var silent = new SilentServer();
        await using var dataSource = NpgsqlDataSource.Create(silent.ConnectionString("Timeout=1024;Command Timeout=0"));
        await using var provider = new PostgresKeyProvider(dataSource, Quick);

        var error = await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () => await provider.FindAgentAsync(SomeAgent)).Within();

        Assert.Contains("did not answer in time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_is_reported_as_unreachable()
    {
        var port = ClosedPort();
        await using var provider = PostgresKeyProvider.Create($"Host=127.0.0.1;Port={port};Username=nobody", Quick);

        var error = await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () => await provider.FindAgentAsync(SomeAgent)).Within();

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_that_cancels_gets_a_cancellation_not_an_outage()
    {
        using var silent = new SilentServer();
        await using var provider = PostgresKeyProvider.Create(silent.ConnectionString(), Quick);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await provider.FindAgentAsync(SomeAgent, cancelled.Token)).Within();
    }

    [Fact]
    public async Task The_listener_keeps_retrying_and_stops_cleanly_on_dispose()
    {
        using var silent = new SilentServer();
        var provider = PostgresKeyProvider.Create(silent.ConnectionString(), Quick);
        await provider.StartAsync();

        await provider.ReachesAsync(AgentListenerState.Disconnected);
        var listening = provider.WhenListeningAsync();
        await provider.DisposeAsync().AsTask().Within();

        Assert.Equal(AgentListenerState.Stopped, provider.ListenerState);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => listening).Within();
    }

    [Theory]
    [InlineData("Timeout=0;Command Timeout=0", 2, 2)]
    [InlineData("Timeout=60;Command Timeout=60", 2, 2)]
    [InlineData("Timeout=1;Command Timeout=1", 1, 1)]
    public void The_data_source_timeouts_fit_inside_the_deadline(string settings, int connect, int command)
    {
        using var dataSource = MyChipsDatabase.CreateDataSource($"Host=127.0.0.1;{settings}",
            new PostgresKeyStoreOptions { OperationTimeout = TimeSpan.FromSeconds(2) });

        var effective = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(connect, effective.Timeout);
        Assert.Equal(command, effective.CommandTimeout);
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_with_the_setting_named()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            PostgresKeyProvider.Create("Host=127.0.0.1", new PostgresKeyStoreOptions { OperationTimeout = TimeSpan.Zero }));

        Assert.Contains("OperationTimeout", error.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
