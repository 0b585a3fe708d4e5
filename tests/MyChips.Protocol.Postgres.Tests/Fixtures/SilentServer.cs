using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Postgres.Tests.Fixtures;

/// <summary>A TCP server that accepts connections and never says a word: a database that hangs.</summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SilentServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string ConnectionString(string extra = "") => $"Host=127.0.0.1;Port={Port};Username=nobody;Database=nothing;{extra}";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _accepting.Wait(); } catch (AggregateException) { }
        lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_accepted) _accepted.Add(socket);
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }
}
