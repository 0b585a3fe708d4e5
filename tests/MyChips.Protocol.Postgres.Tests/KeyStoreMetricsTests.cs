using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class KeyStoreMetricsTests(PostgresFixture fixture)
{
    [Fact]
    public async Task Lookups_and_redemptions_are_counted_by_source_and_result()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var ticket = await store.IssueAsync(new TicketRequest(issuer, TimeSpan.FromHours(1)));
        await using var provider = new PostgresKeyProvider(db.DataSource, db.Options);
        await provider.StartAsync();
        await provider.WhenListeningAsync().Within();
        var counts = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == KeyStoreMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + string.Concat(tags.ToArray().Select(t => $" {t.Key}={t.Value}"));
            counts.AddOrUpdate(key, value, (_, total) => total + value);
        });
        listener.Start();

        await provider.FindAgentAsync(agent.Agent);
        await provider.FindAgentAsync(agent.Agent);
        await store.RedeemAsync(new TicketPresentation(ticket.Token, agent.Agent));
        await store.RedeemAsync(new TicketPresentation(ticket.Token, agent.Agent));

        Assert.Equal(1, counts.GetValueOrDefault("mychips.keystore.agent_lookups source=database result=found"));
        Assert.Equal(1, counts.GetValueOrDefault("mychips.keystore.agent_lookups source=cache result=found"));
        Assert.Equal(1, counts.GetValueOrDefault("mychips.keystore.ticket_redemptions result=accepted"));
        Assert.Equal(1, counts.GetValueOrDefault("mychips.keystore.ticket_redemptions result=AlreadyUsed"));
    }
}
