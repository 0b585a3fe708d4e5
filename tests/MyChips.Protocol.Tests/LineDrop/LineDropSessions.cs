using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.LineDrop;

/// <summary>Takes each announced drop as raw bytes and answers with what it took; upgrades to TLS when asked.</summary>
public sealed class LineDropServerSession(X509Certificate2? certificate = null) : ProtocolSession<ServerConnection>, IServerActions
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ConnectionCloseReason> Closed => _closed.Task;

    public bool IsSecure { get; private set; }

    public List<string> Notes { get; } = [];

    public async ValueTask<ActionOutcome> TakeAsync(string words)
    {
        await Connection.SendReadyAsync();
        var drop = await Connection.ReadRawAsync(int.Parse(words, System.Globalization.CultureInfo.InvariantCulture), Patience);
        await Connection.SendDataAsync("took " + Encoding.ASCII.GetString(drop));
        await Connection.SendDoneAsync();
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> SecureAsync()
    {
        await Connection.UpgradeAsync(async (stream, cancel) =>
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancel);
            return tls;
        }, Patience);
        IsSecure = true;
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> NoteAsync(string words)
    {
        Notes.Add(words);
        return new(ActionOutcome.Continue);
    }

    // A command out of place is answered before the close, as line protocols often do.
    protected override async ValueTask<bool> OnViolationAsync(ConnectionCloseReason reason)
    {
        await Connection.SendDataAsync("(error) " + reason.Violation);
        return true;
    }

    protected override void OnClosed(ConnectionCloseReason reason) => _closed.TrySetResult(reason);
}

/// <summary>Sends drops from the application's own steps, reading the server's replies itself.</summary>
public sealed class LineDropClientSession : ProtocolSession<ClientConnection>, IClientActions
{
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ConnectionCloseReason> Closed => _closed.Task;

    /// <summary>Sends one drop and returns the server's answer line.</summary>
    public async Task<string> DropAsync(string text)
    {
        string? answer = null;
        var outcome = await Connection.RunReadingAsync(async () =>
        {
            await Connection.SendSendAsync(text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Expect(await Connection.ReadPacketAsync(LineDropServerSession.Patience), PacketType.Ready);
            await Connection.WriteRawAsync(Encoding.ASCII.GetBytes(text));
            var took = await Connection.ReadPacketAsync(LineDropServerSession.Patience);
            Expect(took, PacketType.Data);
            answer = Encoding.UTF8.GetString(took.Body.Span);
            Expect(await Connection.ReadPacketAsync(LineDropServerSession.Patience), PacketType.Done);
            return ActionOutcome.Continue;
        });
        return outcome.Kind == ActionOutcomeKind.Continue ? answer! : throw new InvalidOperationException(outcome.Reason);
    }

    /// <summary>Asks for TLS and continues over it, trusting any certificate (the test's own).</summary>
    public async Task SecureAsync()
    {
        await Connection.RunReadingAsync(async () =>
        {
            await Connection.SendSecureAsync();
            await Connection.UpgradeAsync(async (stream, cancel) =>
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "line-drop" }, cancel);
                return tls;
            }, LineDropServerSession.Patience);
            return ActionOutcome.Continue;
        });
    }

    protected override void OnClosed(ConnectionCloseReason reason) => _closed.TrySetResult(reason);

    private static void Expect(ReceivedPacket received, PacketType type)
    {
        if (received.Packet.Type != (byte)type) throw new InvalidDataException($"expected {type}, got {received.Packet}");
    }
}
