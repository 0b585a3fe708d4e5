using System.CommandLine.Parsing;
using System.Globalization;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Commands;

/// <summary>Parsers for the values the commands share: modes, durations, agent addresses.</summary>
public static class OptionParsers
{
    public const string ModeNames = "strict|mychips-js|raw";
    public const string DeliveryNames = "auto|confirmed|written";

    public static DeliveryMode Delivery(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "auto";
        switch (text.ToLowerInvariant())
        {
            case "auto": return DeliveryMode.Auto;
            case "confirmed": return DeliveryMode.Confirmed;
            case "written": return DeliveryMode.Written;
            default:
                result.AddError($"'{text}' is not a delivery mode: use {DeliveryNames}.");
                return DeliveryMode.Auto;
        }
    }

    public static bool TryParseMode(string text, out PeerMode mode)
    {
        switch (text.ToLowerInvariant())
        {
            case "strict": mode = PeerMode.Strict; return true;
            case "mychips-js" or "mychipsjs" or "js": mode = PeerMode.MyChipsJs; return true;
            case "raw": mode = PeerMode.Raw; return true;
            default: mode = default; return false;
        }
    }

    /// <summary>A duration: <c>500ms</c>, <c>10s</c>, <c>2m</c>, <c>1h</c>, or a TimeSpan such as <c>00:00:30</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var units = new (string Suffix, double Milliseconds)[] { ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000) };
        foreach (var (suffix, ms) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value > 0 && value * ms < int.MaxValue)
            {
                duration = TimeSpan.FromMilliseconds(value * ms);
                return true;
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }

    /// <summary>A remote site: <c>AGENT@HOST:PORT</c> (a CHIP address <c>cuid:AGENT@HOST:PORT</c> is accepted too).</summary>
    public static bool TryParseDestination(string text, out PeerDestination? destination, out string problem) =>
        PeerDestination.TryParse(text, out destination, out problem);

    public static PeerMode Mode(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "strict";
        if (TryParseMode(text, out var mode)) return mode;
        result.AddError($"'{text}' is not a mode: use {ModeNames}.");
        return default;
    }

    public static TimeSpan Duration(ArgumentResult result, TimeSpan fallback)
    {
        if (result.Tokens.Count == 0) return fallback;
        var text = result.Tokens[^1].Value;
        if (TryParseDuration(text, out var duration)) return duration;
        result.AddError($"'{text}' is not a duration: use e.g. 500ms, 10s, 2m, 48h.");
        return fallback;
    }

    /// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>, with an error naming the range otherwise.</summary>
    public static int IntInRange(ArgumentResult result, int min, int max, int fallback)
    {
        if (result.Tokens.Count == 0) return fallback;
        var text = result.Tokens[^1].Value;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        var option = result.Parent is OptionResult o ? o.Option.Name : "the value";
        result.AddError($"'{text}' is not valid for {option}: use a whole number from {min} to {max}.");
        return fallback;
    }

    public static PeerDestination? Destination(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParseDestination(text, out var destination, out var problem)) return destination;
        result.AddError(problem);
        return null;
    }
}
