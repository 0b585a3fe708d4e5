namespace MyChips.Protocol.Noise;

/// <summary>
/// A handshake pattern with its modifiers applied: pre-messages, messages, and where the PSKs go
/// (pskN: at the start of the first message for N = 0, else at the end of message N; spec 9.4).
/// </summary>
public sealed class HandshakePattern
{
    private HandshakePattern(string name, string baseName, IReadOnlyList<int> pskModifiers, bool isOneWay,
        IReadOnlyList<NoiseToken> initiatorPreMessage, IReadOnlyList<NoiseToken> responderPreMessage,
        IReadOnlyList<NoiseMessagePattern> messages)
    {
        Name = name;
        BaseName = baseName;
        PskModifiers = pskModifiers;
        IsOneWay = isOneWay;
        InitiatorPreMessage = initiatorPreMessage;
        ResponderPreMessage = responderPreMessage;
        Messages = messages;
    }

    /// <summary>The pattern section of the protocol name, e.g. "XXpsk0+psk1".</summary>
    public string Name { get; }

    /// <summary>The pattern without modifiers, e.g. "XX".</summary>
    public string BaseName { get; }

    /// <summary>The N of each pskN modifier, in the order the name lists them.</summary>
    public IReadOnlyList<int> PskModifiers { get; }

    /// <summary>True for N, K and X: only the initiator sends, and only the first Split key is used.</summary>
    public bool IsOneWay { get; }

    public IReadOnlyList<NoiseToken> InitiatorPreMessage { get; }

    public IReadOnlyList<NoiseToken> ResponderPreMessage { get; }

    public IReadOnlyList<NoiseMessagePattern> Messages { get; }

    /// <summary>The names of every base pattern this engine knows (one-way, fundamental, deferred).</summary>
    public static IEnumerable<string> BaseNames => HandshakePatternTable.Patterns.Keys;

    /// <summary>Builds the pattern section of a protocol name; throws FormatException or NotSupportedException naming the bad part.</summary>
    public static HandshakePattern Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var baseLength = 0;
        while (baseLength < name.Length && (char.IsAsciiLetterUpper(name[baseLength]) || char.IsAsciiDigit(name[baseLength])))
            baseLength++;
        var baseName = name[..baseLength];
        if (baseName.Length == 0)
            throw new FormatException($"Noise handshake pattern '{name}' does not start with a pattern name such as XX or IK.");
        if (!HandshakePatternTable.Patterns.TryGetValue(baseName, out var notation))
            throw new NotSupportedException($"Noise handshake pattern '{baseName}' is not supported (known: one-way, fundamental and deferred patterns of revision 34).");

        var (initiatorPre, responderPre, messages) = ParseNotation(notation);
        var pskModifiers = new List<int>();
        if (baseLength < name.Length)
        {
            foreach (var modifier in name[baseLength..].Split('+'))
                pskModifiers.Add(ParsePskModifier(modifier, name, messages.Count));
        }
        if (pskModifiers.Distinct().Count() != pskModifiers.Count)
            throw new FormatException($"Noise handshake pattern '{name}' repeats a psk modifier.");

        // Insert in ascending order so that PSK tokens appear in the order of their numbers.
        foreach (var psk in pskModifiers.Order())
        {
            if (psk == 0)
                messages[0].Insert(0, NoiseToken.Psk);
            else
                messages[psk - 1].Add(NoiseToken.Psk);
        }

        var built = messages
            .Select((tokens, index) => new NoiseMessagePattern(index % 2 == 0 ? NoiseRole.Initiator : NoiseRole.Responder, tokens.AsReadOnly()))
            .ToList()
            .AsReadOnly();
        return new HandshakePattern(name, baseName, pskModifiers.AsReadOnly(), HandshakePatternTable.OneWay.Contains(baseName),
            initiatorPre.AsReadOnly(), responderPre.AsReadOnly(), built);
    }

    private static int ParsePskModifier(string modifier, string name, int messageCount)
    {
        if (modifier.Length == 0)
            throw new FormatException($"Noise handshake pattern '{name}' has an empty modifier.");
        if (!modifier.StartsWith("psk", StringComparison.Ordinal))
        {
            if (modifier is "fallback" || modifier.StartsWith("hfs", StringComparison.Ordinal))
                throw new NotSupportedException($"Noise pattern modifier '{modifier}' (in '{name}') is not supported; psk modifiers are.");
            throw new FormatException($"Noise pattern modifier '{modifier}' (in '{name}') is not a known modifier (expected pskN).");
        }
        var digits = modifier[3..];
        if (digits.Length == 0 || digits.Length > 2 || !digits.All(char.IsAsciiDigit) || (digits.Length > 1 && digits[0] == '0'))
            throw new FormatException($"Noise pattern modifier '{modifier}' (in '{name}') needs a number, as in psk0 or psk2.");
        var number = int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        if (number > messageCount)
            throw new FormatException($"Noise pattern modifier '{modifier}' (in '{name}') points past the pattern's {messageCount} message(s).");
        return number;
    }

    private static (List<NoiseToken> InitiatorPre, List<NoiseToken> ResponderPre, List<List<NoiseToken>> Messages) ParseNotation(string notation)
    {
        var lines = notation.Split(';', StringSplitOptions.TrimEntries);
        var separator = Array.IndexOf(lines, "...");
        var initiatorPre = new List<NoiseToken>();
        var responderPre = new List<NoiseToken>();
        for (var i = 0; i < separator; i++)
        {
            var (toResponder, tokens) = ParseLine(lines[i]);
            (toResponder ? initiatorPre : responderPre).AddRange(tokens);
        }
        var messages = new List<List<NoiseToken>>();
        for (var i = separator + 1; i < lines.Length; i++)
            messages.Add(ParseLine(lines[i]).Tokens);
        return (initiatorPre, responderPre, messages);
    }

    private static (bool ToResponder, List<NoiseToken> Tokens) ParseLine(string line)
    {
        var toResponder = line.StartsWith("->", StringComparison.Ordinal);
        var tokens = line[2..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(token => token switch
            {
                "e" => NoiseToken.E,
                "s" => NoiseToken.S,
                "ee" => NoiseToken.EE,
                "es" => NoiseToken.ES,
                "se" => NoiseToken.SE,
                "ss" => NoiseToken.SS,
                _ => throw new InvalidOperationException($"Bad token '{token}' in the pattern table."),
            })
            .ToList();
        return (toResponder, tokens);
    }

    public override string ToString() => Name;
}
