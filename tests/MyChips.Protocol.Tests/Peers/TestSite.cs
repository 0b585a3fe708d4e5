using System.Text;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>A site for the tests: an agent key, in-memory stores, a started node, and a log of its connection states.</summary>
internal sealed class TestSite : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly List<ConnectionStateChange> _states = [];
    private readonly List<(Func<ConnectionStateChange, bool> Match, TaskCompletionSource<ConnectionStateChange> Done)> _waiters = [];

    private TestSite(AgentKey key, PeerNode node, InMemoryKeyProvider keys, InMemoryTicketStore tickets)
    {
        Key = key;
        Node = node;
        Keys = keys;
        Tickets = tickets;
        node.ConnectionStateChanged += (_, change) => Record(change);
    }

    public AgentKey Key { get; }
    public PeerNode Node { get; }
    public InMemoryKeyProvider Keys { get; }
    public InMemoryTicketStore Tickets { get; }
    public AgentId Agent => Key.Agent;
    public int Port => Node.LocalEndPoint.Port;
    public PeerDestination Destination => new(Key.Agent, "127.0.0.1", Port);

    public static async Task<TestSite> StartAsync(PeerMode mode, Func<PeerNodeOptions, PeerNodeOptions>? configure = null,
        TimeProvider? time = null, InMemoryTicketStore? tickets = null, IReplayGuard? replayGuard = null)
    {
        var key = AgentKey.Generate("127.0.0.1", 0);
        var options = new PeerNodeOptions { LocalKey = key, Mode = mode, BlockList = BlockListOptions.Disabled };
        if (configure is not null) options = configure(options);
        var keys = new InMemoryKeyProvider();
        tickets ??= new InMemoryTicketStore(time);
        var node = new PeerNode(options, keys, tickets, timeProvider: time, replayGuard: replayGuard);
        await node.StartAsync();
        return new TestSite(key, node, keys, tickets);
    }

    /// <summary>Both sites know each other's agent, key and port.</summary>
    public static void Introduce(TestSite a, TestSite b)
    {
        a.Trust(b);
        b.Trust(a);
    }

    public void Trust(TestSite other) => Keys.Add(AgentRecord.FromId(other.Agent, "127.0.0.1", other.Port));

    /// <summary>
    /// A connection's first message as this site's node puts it on the wire: unchanged in strict mode; in the
    /// compatible modes with the <c>from</c> member naming this site appended, as the deployed sender does.
    /// </summary>
    public string AsFirstMessage(string json) => Node.Options.Mode == PeerMode.Strict
        ? json
        : $$$"""{{{json[..^1]}}},"from":{"agent":"{{{Agent}}}","host":"{{{Key.Host}}}","port":{{{Port}}}}}""";

    public Task<DeliveryReceipt> SendAsync(TestSite to, string json, ConnectionTicket? ticket = null) =>
        Node.SendAsync(to.Destination, Encoding.UTF8.GetBytes(json), ticket);

    public async Task<PeerMessage> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        return await Node.Messages.ReadAsync(cts.Token);
    }

    /// <summary>True when a message is waiting now (for "nothing was delivered" checks after a close).</summary>
    public bool HasMessage => Node.Messages.TryPeek(out _);

    public Task<ConnectionStateChange> WaitForStateAsync(Func<ConnectionStateChange, bool> match)
    {
        lock (_states)
        {
            foreach (var change in _states)
            {
                if (match(change)) return Task.FromResult(change);
            }
            var done = new TaskCompletionSource<ConnectionStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(Deadline);
        }
    }

    public Task<ConnectionStateChange> WaitForCloseAsync(ConnectionDirection direction = ConnectionDirection.Inbound) =>
        WaitForStateAsync(c => c.State == ConnectionState.Closed && c.Direction == direction);

    public IReadOnlyList<ConnectionStateChange> States
    {
        get
        {
            lock (_states) return _states.ToArray();
        }
    }

    private void Record(ConnectionStateChange change)
    {
        lock (_states)
        {
            _states.Add(change);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(change)) continue;
                _waiters[i].Done.TrySetResult(change);
                _waiters.RemoveAt(i);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        Key.Dispose();
    }
}
