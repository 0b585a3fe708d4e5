using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Peer;
using MyChips.Protocol.Ciyam.Transfer;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>A files area in a fresh temporary folder, removed with the test.</summary>
internal sealed class TempArea : IDisposable
{
    public TempArea(FilesAreaLimits? limits = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "ciyam-" + Guid.NewGuid().ToString("N"));
        Area = new FilesArea(Folder, limits);
    }

    public string Folder { get; }

    public FilesArea Area { get; }

    /// <summary>Stores a blob of <paramref name="size"/> payload bytes made from <paramref name="seed"/>; returns its hash.</summary>
    public string AddBlob(int seed, int size = 3_000)
    {
        var payload = new byte[size];
        new Random(seed).NextBytes(payload);
        var stored = StoredFile.Compose(StoredFile.Blob, payload);
        var hash = StoredFile.HashOf(stored);
        Area.Store(hash, stored);
        return hash;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>A listener on a loopback port with its own files area.</summary>
internal sealed class TestListener : IAsyncDisposable
{
    private readonly TempArea _files;

    public TestListener(CiyamPeerOptions? options = null, FilesAreaLimits? limits = null)
    {
        _files = new TempArea(limits);
        Listener = new CiyamListener(new IPEndPoint(IPAddress.Loopback, 0), _files.Area, options);
        Listener.SessionStarted += s => Started.TrySetResult(s);
        Listener.Start();
    }

    public CiyamListener Listener { get; }

    public TempArea Files => _files;

    public TaskCompletionSource<CiyamListenerSession> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Port => Listener.LocalEndPoint.Port;

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        _files.Dispose();
    }
}

/// <summary>
/// A client that types lines as a person at CIYAM's interactive client would, and like that client carries out
/// the transfers the listener issues quietly: what it returns is what such a client shows.
/// </summary>
internal sealed class LineClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private bool _checked;

    private LineClient(TcpClient tcp)
    {
        _tcp = tcp;
        Wire = new CiyamWire(tcp.GetStream(), TimeProvider.System);
    }

    public CiyamWire Wire { get; }

    /// <summary>The files this client puts and hands out when asked, by hash; the hello blob is always there.</summary>
    public Dictionary<string, byte[]> Files { get; } = new() { [HelloBlob.Hash] = HelloBlob.Stored };

    public static async Task<LineClient> ConnectAsync(int port, IPAddress? from = null)
    {
        var tcp = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(from, 0));
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        return new LineClient(tcp);
    }

    public Task<string> ReadAsync() => Wire.ReadLineAsync(4_000, Patience);

    public Task SendAsync(string line) => Wire.WriteLineAsync(line);

    /// <summary>Reads the greeting: the version, then <c>(okay)</c>.</summary>
    public async Task<string[]> GreetingAsync() => [await ReadAsync(), await ReadAsync()];

    /// <summary>Sends a command (and the file of a put), then shows the lines up to <c>(okay)</c> or an error.</summary>
    public async Task<List<string>> CommandAsync(string line)
    {
        var shown = new List<string>();
        // A put's small file rides in the same write as its command, as one segment.
        if (line.StartsWith("put ", StringComparison.Ordinal))
            await Wire.WriteAsync(line + "\r\n" + TransferHeader.For(Files.GetValueOrDefault(line[4..], HelloBlob.Stored), FileTransfer.DefaultChunk).ToLine() + "\r\n");
        else
            await SendAsync(line);
        if (line.StartsWith("get ", StringComparison.Ordinal))
        {
            try
            {
                Files[line[4..]] = (await FileTransfer.ReceiveAsync(Wire, line[4..], 1_000_000, false, Patience))!;
            }
            catch (CiyamProtocolException e) when (e.Message.Contains(CiyamReplies.ErrorPrefix, StringComparison.Ordinal))
            {
                return [e.Message[e.Message.IndexOf(CiyamReplies.ErrorPrefix, StringComparison.Ordinal)..]];
            }
        }
        var listing = line is "?" or "help";
        // Only the session's first chk, when not found, brings the hello exchange.
        var first = line.StartsWith("chk ", StringComparison.Ordinal) && !_checked;
        _checked |= line.StartsWith("chk ", StringComparison.Ordinal);
        while (true)
        {
            var reply = await ReadAsync();
            if (reply == CiyamReplies.Okay) return shown;
            shown.Add(reply);
            if (listing) continue;
            if (reply.StartsWith(CiyamReplies.ErrorPrefix, StringComparison.Ordinal)) return shown;
            if (reply.StartsWith("put ", StringComparison.Ordinal))
            {
                var stored = await FileTransfer.ReceiveAsync(Wire, reply[4..], 1_000_000, false, Patience);
                Files[reply[4..]] = stored!;
                if (line.StartsWith("chk ", StringComparison.Ordinal) && shown.Contains(CiyamReplies.NotFound) && first)
                    await FileTransfer.SendAsync(Wire, stored!, Patience);
            }
            else if (reply.StartsWith("get ", StringComparison.Ordinal)) await FileTransfer.SendAsync(Wire, Files[reply[4..]], Patience);
            else if (reply.StartsWith("pip ", StringComparison.Ordinal)) await SendAsync("127.0.0.1");
        }
    }

    /// <summary>True once the listener has closed the connection.</summary>
    public async Task<bool> ClosedAsync()
    {
        try
        {
            while (true) await ReadAsync();
        }
        catch (CiyamProtocolException e)
        {
            return e.Message.Contains("closed", StringComparison.Ordinal) || e.Message.Contains("failed", StringComparison.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Wire.DisposeAsync();
        _tcp.Dispose();
    }
}
