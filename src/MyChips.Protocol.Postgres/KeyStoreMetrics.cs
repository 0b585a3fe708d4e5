using System.Diagnostics.Metrics;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Postgres;

/// <summary>Counters of the PostgreSQL key store, on the meter <see cref="MeterName"/>.</summary>
public static class KeyStoreMetrics
{
    public const string MeterName = "MyChips.Protocol.Postgres";

    private static readonly Meter s_meter = new(MeterName);

    private static readonly Counter<long> s_lookups = s_meter.CreateCounter<long>(
        "mychips.keystore.agent_lookups", "{lookup}", "Agent lookups, by source (cache, database) and result (found, unknown).");

    private static readonly Counter<long> s_redemptions = s_meter.CreateCounter<long>(
        "mychips.keystore.ticket_redemptions", "{redemption}", "Ticket redemptions, by result (accepted or the rejection).");

    private static readonly Counter<long> s_unavailable = s_meter.CreateCounter<long>(
        "mychips.keystore.unavailable", "{error}", "Calls that ended without an answer from the database, by operation.");

    private static readonly Counter<long> s_listenerStates = s_meter.CreateCounter<long>(
        "mychips.keystore.listener_states", "{change}", "Agent listener state changes, by new state.");

    internal static void Lookup(bool fromCache, bool found) =>
        s_lookups.Add(1, new("source", fromCache ? "cache" : "database"), new("result", found ? "found" : "unknown"));

    internal static void Redemption(TicketRejection rejection) =>
        s_redemptions.Add(1, new KeyValuePair<string, object?>("result", rejection == TicketRejection.None ? "accepted" : rejection.ToString()));

    internal static void Unavailable(string operation) => s_unavailable.Add(1, new KeyValuePair<string, object?>("operation", operation));

    internal static void ListenerState(AgentListenerState state) =>
        s_listenerStates.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));
}
