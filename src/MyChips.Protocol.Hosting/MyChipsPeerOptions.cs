using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Hosting;

/// <summary>
/// A hosted peer node's settings, bound from the configuration section <see cref="SectionName"/>
/// (e.g. <c>MyChipsPeer:KeyFile</c>) or set in code. Either <see cref="KeyFile"/> or <see cref="LocalKey"/> is required.
/// </summary>
public sealed class MyChipsPeerOptions
{
    public const string SectionName = "MyChipsPeer";

    /// <summary>A MyCHIPs agent key file (<c>.agk</c>): the site's identity, host and port.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The site's identity given in code; takes precedence over <see cref="KeyFile"/>. The caller disposes it.</summary>
    public AgentKey? LocalKey { get; set; }

    /// <summary>The address to listen on. Default: the key's host when it is an IP address, loopback for "localhost", else every address.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>The port to listen on. Default: the key's port (0: the system picks one).</summary>
    public int? Port { get; set; }

    public PeerMode Mode { get; set; } = PeerMode.Strict;

    /// <summary>When a sent message counts as delivered; default as <see cref="PeerNodeOptions.Delivery"/>.</summary>
    public DeliveryMode? Delivery { get; set; }

    /// <summary>Default: the spec's <c>timeout handshake</c>, as <see cref="PeerNodeOptions.HandshakeTimeout"/>.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = ResponderConnection.HandshakeTimeout;

    /// <summary>Default: the spec's <c>timeout idle</c>, as <see cref="PeerNodeOptions.IdleTimeout"/>.</summary>
    public TimeSpan IdleTimeout { get; set; } = ResponderConnection.IdleTimeout;

    /// <summary>On stop, how long messages already sent get to be written and acknowledged; as <see cref="PeerNodeOptions.ShutdownGracePeriod"/>.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    public KeyStoreKind KeyStore { get; set; } = KeyStoreKind.InMemory;

    /// <summary>Npgsql connection string of the site's MyCHIPs database, for <see cref="KeyStoreKind.Postgres"/>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// With the PostgreSQL key store: let ticket (I) connections in while <c>mychips.token_valid(token)</c> says so,
    /// leaving the redemption to the site bridge (<see cref="Bridge.SiteTicketStore"/>). Set by <c>AddMyChipsSiteBridge</c>.
    /// </summary>
    public bool SiteTickets { get; set; }

    /// <summary>Ticket tokens accepted once each for first-time connections (in-memory key store only).</summary>
    public List<string> Tickets { get; set; } = [];

    /// <summary>
    /// Remote agents the node knows, as <c>AGENT@HOST:PORT</c> (in-memory key store only): they may open later
    /// (N+KK) connections, and messages to them need no address.
    /// </summary>
    public List<string> KnownAgents { get; set; } = [];

    /// <summary>How long the <see cref="Tickets"/> tokens stay valid from the node's start. Default 48 hours.</summary>
    public TimeSpan TicketLifetime { get; set; } = TicketRequest.DefaultLifetime;

    /// <summary>Called for every frame read or written (diagnostics; not bound from configuration).</summary>
    public Action<PacketTrace>? PacketObserver { get; set; }
}
