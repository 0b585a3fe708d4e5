using System.Net;
using Microsoft.Extensions.Logging;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Postgres;

namespace MyChips.Protocol.Hosting;

/// <summary>Turns <see cref="MyChipsPeerOptions"/> into a node and the stores it needs; says clearly what is wrong.</summary>
internal static class PeerNodeBuilder
{
    public static AgentKey LoadKey(MyChipsPeerOptions options, out bool ownsKey)
    {
        ownsKey = false;
        if (options.LocalKey is not null) return options.LocalKey;
        if (string.IsNullOrWhiteSpace(options.KeyFile))
            throw new InvalidOperationException($"No agent key: set {MyChipsPeerOptions.SectionName}:KeyFile (a MyCHIPs .agk file) or LocalKey.");
        ownsKey = true;
        try
        {
            return AgentKeyFile.Load(options.KeyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new InvalidOperationException($"Cannot load the agent key file '{options.KeyFile}': {e.Message}", e);
        }
    }

    public static IPEndPoint ListenEndPoint(MyChipsPeerOptions options, AgentKey key)
    {
        var port = options.Port ?? key.Port;
        if (port is < 0 or > 65535) throw new InvalidOperationException($"The port {port} is not from 0 to 65535.");
        var host = options.ListenAddress ?? key.Host;
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return new IPEndPoint(IPAddress.Loopback, port);
        if (options.ListenAddress is not null)
            throw new InvalidOperationException($"The listen address '{options.ListenAddress}' is not an IP address.");
        return new IPEndPoint(IPAddress.Any, port);
    }

    public static PeerNodeOptions NodeOptions(MyChipsPeerOptions options, AgentKey key) => new()
    {
        LocalKey = key,
        ListenEndPoint = ListenEndPoint(options, key),
        Mode = options.Mode,
        Delivery = options.Delivery,
        HandshakeTimeout = options.HandshakeTimeout,
        IdleTimeout = options.IdleTimeout,
        ShutdownGracePeriod = options.ShutdownGracePeriod,
        PacketObserver = options.PacketObserver,
    };

    public static (IKeyProvider Keys, ITicketStore Tickets, IReplayGuard Replays) Stores(MyChipsPeerOptions options, AgentKey key, ILoggerFactory loggers)
    {
        if (options.KeyStore == KeyStoreKind.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.PostgresConnectionString))
                throw new InvalidOperationException($"The Postgres key store needs {MyChipsPeerOptions.SectionName}:PostgresConnectionString.");
            if (options.Tickets.Count > 0)
                throw new InvalidOperationException("Tickets given as options are for the in-memory key store; with PostgreSQL, issue them in the database.");
            if (options.KnownAgents.Count > 0)
                throw new InvalidOperationException("Known agents given as options are for the in-memory key store; with PostgreSQL, they are the rows of the agents table.");
            ITicketStore siteTickets = options.SiteTickets
                ? Bridge.SiteTicketStore.Create(options.PostgresConnectionString)
                : PostgresTicketStore.Create(options.PostgresConnectionString, logger: loggers.CreateLogger<PostgresTicketStore>());
            return (PostgresKeyProvider.Create(options.PostgresConnectionString, logger: loggers.CreateLogger<PostgresKeyProvider>()),
                siteTickets,
                PostgresReplayGuard.Create(options.PostgresConnectionString));
        }
        var tickets = new InMemoryTicketStore();
        var expires = DateTimeOffset.UtcNow + options.TicketLifetime;
        var issuer = new ChipAddress("site", key.Agent, key.Host, key.Port);
        foreach (var token in options.Tickets.Distinct(StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(token)) throw new InvalidOperationException("A ticket token is empty.");
            tickets.Add(new ConnectionTicket(token, expires, issuer));
        }
        var agents = new InMemoryKeyProvider();
        foreach (var known in options.KnownAgents)
        {
            if (!PeerDestination.TryParse(known, out var destination, out var problem))
                throw new InvalidOperationException($"{MyChipsPeerOptions.SectionName}:KnownAgents: {problem}");
            agents.Add(AgentRecord.FromId(destination.Agent, destination.Host, destination.Port));
        }
        return (agents, tickets, new InMemoryReplayGuard());
    }
}
