using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace MyChips.Protocol.Hosting;

public static class MyChipsPeerServiceCollectionExtensions
{
    /// <summary>
    /// Adds a MyCHIPs peer node that starts and stops with the host: <see cref="MyChipsPeerService"/> (inject it
    /// for the node), its <see cref="MyChipsPeerOptions"/>, and logging through the host's <c>ILogger</c>.
    /// </summary>
    public static IServiceCollection AddMyChipsPeer(this IServiceCollection services, Action<MyChipsPeerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddMyChipsPeerCore();
    }

    /// <summary>Adds a peer node whose options are bound from a configuration section (e.g. <c>config.GetSection("MyChipsPeer")</c>).</summary>
    public static IServiceCollection AddMyChipsPeer(this IServiceCollection services, IConfiguration configuration,
        Action<MyChipsPeerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<MyChipsPeerOptions>(configuration);
        if (configure is not null) services.PostConfigure(configure);
        return services.AddMyChipsPeerCore();
    }

    /// <summary>
    /// Adds a MyCHIPs site bridge over the peer node (call <see cref="AddMyChipsPeer(IServiceCollection, Action{MyChipsPeerOptions})"/>
    /// first): <see cref="MyChipsSiteBridgeService"/>, started once the node listens and stopped before it. The node
    /// then lets first-time (ticket) connections in while <c>mychips.token_valid</c> says so, and the bridge redeems
    /// the ticket when its message is taken in, as MyCHIPs does.
    /// </summary>
    public static IServiceCollection AddMyChipsSiteBridge(this IServiceCollection services, Action<MyChipsSiteBridgeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MyChipsSiteBridgeOptions>();
        if (configure is not null) services.Configure(configure);
        return services.AddMyChipsSiteBridgeCore();
    }

    /// <summary>Adds a site bridge whose options are bound from a configuration section (e.g. <c>config.GetSection("MyChipsSiteBridge")</c>).</summary>
    public static IServiceCollection AddMyChipsSiteBridge(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<MyChipsSiteBridgeOptions>(configuration);
        return services.AddMyChipsSiteBridgeCore();
    }

    private static IServiceCollection AddMyChipsSiteBridgeCore(this IServiceCollection services)
    {
        services.PostConfigure<MyChipsPeerOptions>(o => o.SiteTickets = true);
        services.TryAddSingleton<MyChipsSiteBridgeService>();
        services.AddHostedService(sp => sp.GetRequiredService<MyChipsSiteBridgeService>());
        return services;
    }

    private static IServiceCollection AddMyChipsPeerCore(this IServiceCollection services)
    {
        services.AddOptions();
        services.TryAddSingleton<MyChipsPeerService>();
        services.AddHostedService(sp => sp.GetRequiredService<MyChipsPeerService>());
        return services;
    }
}
