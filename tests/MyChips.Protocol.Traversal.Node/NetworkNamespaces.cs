using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Traversal.Node;

/// <summary>
/// The bench's network, built from namespaces it creates and deletes itself: a public network 192.0.2.0/24 (a bridge)
/// with the rendezvous server (.10), two NAT routers (.1, .2) and two public peers (.21, .22); behind each router a
/// private network 10.201.1.0/24 or 10.201.2.0/24 with one host (.2). No other address is ever used.
/// </summary>
public sealed class NetworkNamespaces : IAsyncDisposable
{
    public const string Rendezvous = "192.0.2.10";
    private readonly string _prefix;
    private readonly List<string> _created = [];

    private NetworkNamespaces(string prefix) => _prefix = prefix;

    public string this[string role] => _prefix + role;

    /// <summary>Why the bench cannot run here, or null when it can (root, ip and nft present: nft is installed if missing).</summary>
    public static async Task<string?> WhyNotAsync()
    {
        if (!OperatingSystem.IsLinux()) return "network namespaces need Linux";
        if (Environment.UserName != "root") return "creating network namespaces needs root";
        if (ProcessRunner.FindOnPath("ip") is null) return "iproute2 (ip) is not installed";
        if (ProcessRunner.FindOnPath("nft") is null)
        {
            var quiet = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            await ProcessRunner.RunAsync("apt-get", ["update", "-q"], TimeSpan.FromMinutes(3), environment: quiet);
            await ProcessRunner.RunAsync("apt-get", ["install", "-y", "-q", "nftables"], TimeSpan.FromMinutes(3), environment: quiet);
            if (ProcessRunner.FindOnPath("nft") is null) return "nftables (nft) is not installed and could not be installed";
        }
        var probe = $"mtprobe{Environment.ProcessId}";
        var made = await ProcessRunner.RunAsync("ip", ["netns", "add", probe], TimeSpan.FromSeconds(10));
        if (made.ExitCode != 0) return $"ip netns add failed: {made.StandardError.Trim()}";
        await ProcessRunner.RunAsync("ip", ["netns", "del", probe], TimeSpan.FromSeconds(10));
        return null;
    }

    /// <summary>Builds the network; on any failure, what was made so far is deleted.</summary>
    public static async Task<NetworkNamespaces> CreateAsync()
    {
        var net = new NetworkNamespaces($"mt{Environment.ProcessId % 100000}");
        try
        {
            await net.BuildAsync();
            return net;
        }
        catch
        {
            await net.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync()
    {
        foreach (var role in new[] { "pub", "rv", "na", "nb", "pa", "pb", "ha", "hb" })
        {
            await Ip("netns", "add", this[role]);
            _created.Add(this[role]);
            await In(role, "ip", "link", "set", "lo", "up");
        }
        await In("pub", "ip", "link", "add", "br0", "type", "bridge");
        await In("pub", "ip", "link", "set", "br0", "up");
        foreach (var (role, address) in new[] { ("rv", Rendezvous), ("na", "192.0.2.1"), ("nb", "192.0.2.2"), ("pa", "192.0.2.21"), ("pb", "192.0.2.22") })
        {
            await In("pub", "ip", "link", "add", role, "type", "veth", "peer", "name", "wan", "netns", this[role]);
            await In("pub", "ip", "link", "set", role, "master", "br0", "up");
            await In(role, "ip", "addr", "add", address + "/24", "dev", "wan");
            await In(role, "ip", "link", "set", "wan", "up");
        }
        foreach (var (router, host, subnet) in new[] { ("na", "ha", "10.201.1"), ("nb", "hb", "10.201.2") })
        {
            await In(router, "ip", "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", this[host]);
            await In(router, "ip", "addr", "add", subnet + ".1/24", "dev", "lan");
            await In(router, "ip", "link", "set", "lan", "up");
            await In(router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            await In(host, "ip", "addr", "add", subnet + ".2/24", "dev", "eth0");
            await In(host, "ip", "link", "set", "eth0", "up");
            await In(host, "ip", "route", "add", "default", "via", subnet + ".1");
        }
    }

    /// <summary>Loads the ruleset of <paramref name="kind"/> into router "na" or "nb".</summary>
    public async Task ConfigureRouterAsync(string router, NatKind kind)
    {
        var (wan, host) = router == "na" ? ("192.0.2.1", "10.201.1.2") : ("192.0.2.2", "10.201.2.2");
        await ProcessRunner.RunCheckedAsync("ip", ["netns", "exec", this[router], "nft", "-f", "-"], TimeSpan.FromSeconds(10), standardInput: NatRules.For(kind, wan, host));
    }

    /// <summary>Runs a command inside the namespace of <paramref name="role"/>.</summary>
    public Task In(string role, params string[] command) => Ip(["netns", "exec", this[role], .. command]);

    private static Task Ip(params string[] arguments) => ProcessRunner.RunCheckedAsync("ip", arguments, TimeSpan.FromSeconds(10));

    /// <summary>Deletes every namespace it created (their interfaces go with them).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var name in Enumerable.Reverse(_created))
            await ProcessRunner.RunAsync("ip", ["netns", "del", name], TimeSpan.FromSeconds(10));
        _created.Clear();
    }
}
