using System.CommandLine;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Commands;

/// <summary>Options several commands share, built the same way each time.</summary>
public static class CommonOptions
{
    public static Option<PeerMode> Mode() => new("--mode")
    {
        Description = $"Encryption mode: {OptionParsers.ModeNames} (default strict).",
        CustomParser = OptionParsers.Mode,
        DefaultValueFactory = _ => PeerMode.Strict,
        HelpName = "MODE",
    };

    public static Option<DeliveryMode> Delivery() => new("--delivery")
    {
        Description = $"When a message counts as delivered: {OptionParsers.DeliveryNames} (default auto: acknowledged by the peer where it negotiated receipts, written to TCP where it did not; confirmed behaves the same; written never waits for a receipt).",
        CustomParser = OptionParsers.Delivery,
        DefaultValueFactory = _ => DeliveryMode.Auto,
        HelpName = "DELIVERY",
    };

    public static Option<TimeSpan> Duration(string name, TimeSpan fallback, string description) => new(name)
    {
        Description = $"{description} (default {Describe(fallback)}; e.g. 500ms, 10s, 2m).",
        CustomParser = r => OptionParsers.Duration(r, fallback),
        DefaultValueFactory = _ => fallback,
        HelpName = "DURATION",
    };

    public static Option<FileInfo> KeyFile(bool required) => new("--key")
    {
        Description = "A MyCHIPs agent key file (.agk): the site's Ed25519 key, host and port.",
        Required = required,
        HelpName = "FILE",
    };

    private static string Describe(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours % 1 == 0 ? $"{t.TotalHours}h"
        : t.TotalSeconds % 1 == 0 ? $"{t.TotalSeconds}s" : $"{t.TotalMilliseconds}ms";
}
