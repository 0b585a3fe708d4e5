using MyChips.Protocol.Bridge;

namespace MyChips.Protocol.Hosting;

/// <summary>The site bridge of a hosted node (configuration section <c>MyChipsSiteBridge</c>).</summary>
public sealed class MyChipsSiteBridgeOptions
{
    public const string SectionName = "MyChipsSiteBridge";

    /// <summary>The site's MyCHIPs database; default: the node's <see cref="MyChipsPeerOptions.PostgresConnectionString"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How the bridge works the database: retries, intervals, signature checks.</summary>
    public SiteBridgeOptions Bridge { get; set; } = new();
}
