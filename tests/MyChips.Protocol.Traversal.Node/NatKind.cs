namespace MyChips.Protocol.Traversal.Node;

/// <summary>How the router in front of a bench peer translates (RFC 4787 terms), or none for a peer with a public address.</summary>
public enum NatKind
{
    /// <summary>No NAT: the peer sits on the public network.</summary>
    Public,
    /// <summary>Endpoint-independent mapping and filtering: source ports kept, anything inbound to the router goes to the host.</summary>
    FullCone,
    /// <summary>Endpoint-independent mapping, address-and-port-dependent filtering: source ports kept, only replies come in.</summary>
    PortRestricted,
    /// <summary>Address-and-port-dependent mapping: a port per destination (nft snat random), only replies come in.</summary>
    Symmetric,
    /// <summary>A new random source port for every connection (nft snat fully-random), only replies come in.</summary>
    RandomPort,
}

/// <summary>The nftables ruleset of a bench router for each kind; "wan" faces the public network, "lan" the host.</summary>
public static class NatRules
{
    public static string For(NatKind kind, string wanAddress, string hostAddress)
    {
        var (snat, dnat, admit) = kind switch
        {
            NatKind.FullCone => ($"snat to {wanAddress}", $"iifname \"wan\" ip daddr {wanAddress} dnat to {hostAddress};", "ct status dnat accept;"),
            NatKind.PortRestricted => ($"snat to {wanAddress}", "", ""),
            NatKind.Symmetric => ($"snat to {wanAddress} random", "", ""),
            NatKind.RandomPort => ($"snat to {wanAddress} fully-random", "", ""),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a public peer has no router"),
        };
        return $$"""
            flush ruleset
            table ip nat {
              chain postrouting { type nat hook postrouting priority 100; oifname "wan" {{snat}}; }
              chain prerouting { type nat hook prerouting priority -100; {{dnat}} }
            }
            table ip filter {
              chain forwarding { type filter hook forward priority 0; policy drop; ct state established,related accept; iifname "lan" accept; {{admit}} }
              chain incoming { type filter hook input priority 0; policy accept; iifname "wan" ct state new drop; }
            }
            """;
    }
}
