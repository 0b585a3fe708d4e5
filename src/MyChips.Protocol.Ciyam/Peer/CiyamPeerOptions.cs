using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MyChips.Protocol.Ciyam.Transfer;
using MyChips.Protocol.Ciyam.Wire;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>What a CIYAM listener or initiator may do and how long it waits.</summary>
public sealed record CiyamPeerOptions
{
    public CiyamTimeouts Timeouts { get; init; } = new();

    /// <summary>Sessions a listener holds at once; one more is answered with <c>(error)</c> and closed. Default 100.</summary>
    public int MaxPeers { get; init; } = 100;

    /// <summary>The listener's certificate for <c>tls</c>; without one, <c>tls</c> is answered with <c>(error)</c>.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>How an initiator checks the listener's certificate after <c>tls</c>; null: the platform's rules.</summary>
    public RemoteCertificateValidationCallback? ValidateCertificate { get; init; }

    /// <summary>How often a listener asks a peer to prove, with a fresh nonce, that it still holds a file it was given.</summary>
    public TimeSpan ProofInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Files the node wants from its peers: it issues <c>get</c> for them before asking for the hello blob.</summary>
    public IReadOnlyList<string> Wanted { get; init; } = [];

    /// <summary>
    /// Whether, instead of its next get or put, the listener issues a <c>chk</c> (proof of storage) or a <c>pip</c>.
    /// The default is CIYAM's: one time in five each.
    /// </summary>
    public Func<CiyamExtra> ChooseExtra { get; init; } = () => Random.Shared.Next(5) switch
    {
        0 => CiyamExtra.Check,
        1 => CiyamExtra.Pip,
        _ => CiyamExtra.None,
    };

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The engine's options for a CIYAM connection: the clock, the spec timeouts from <see cref="Timeouts"/>, chunk-sized raw reads.</summary>
    internal ConnectionOptions ForEngine(int maxConnections = 10_000) => new()
    {
        TimeProvider = Time,
        MaxConnections = maxConnections,
        MaxRawRead = TransferHeader.MaxChunk,
        AcceptBareLineFeed = true, // as CIYAM reads: a person at netcat ends a line with LF
        Timeouts = new Dictionary<string, TimeSpan>
        {
            ["greeting"] = Timeouts.Greeting,
            ["awaitingPut"] = Timeouts.Request,
            ["awaitingGet"] = Timeouts.Request,
        },
    };

    /// <summary>Called with the timeout of each wait for the peer as it starts (the greeting, a line or chunk of a turn): lets a test move a fake clock at the right moment.</summary>
    internal Action<TimeSpan>? Waiting { get; init; }
}

/// <summary>A command a listener may issue in place of its next transfer.</summary>
public enum CiyamExtra
{
    None,
    Check,
    Pip,
}
