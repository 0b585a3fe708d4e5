namespace MyChips.Protocol.Hosting;

/// <summary>Where a hosted node finds its peers' keys and its connection tickets.</summary>
public enum KeyStoreKind
{
    /// <summary>In memory: tickets from <see cref="MyChipsPeerOptions.Tickets"/>, agents known by their ids only.</summary>
    InMemory,

    /// <summary>The site's MyCHIPs PostgreSQL database (<see cref="MyChipsPeerOptions.PostgresConnectionString"/>).</summary>
    Postgres,
}
