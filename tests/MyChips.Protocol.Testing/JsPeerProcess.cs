using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MyChips.Protocol.Testing;

/// <summary>
/// A running tests/interop-node/peer.js: commands go to its stdin as JSON lines, its stdout events
/// (JSON lines) are collected so a test can await one with a deadline. Dispose ends the process tree.
/// </summary>
public sealed class JsPeerProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<JsonElement> _events = [];
    private readonly List<Waiter> _waiters = [];
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _stdinGate = new(1, 1);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();

    private JsPeerProcess(Process process) => _process = process;

    /// <summary>The peer's agent id (from its ready event).</summary>
    public string Agent { get; private set; } = "";

    /// <summary>The port it listens on, or null.</summary>
    public int? Port { get; private set; }

    /// <summary>Its X25519 Noise static public key, hex.</summary>
    public string NoiseKeyHex { get; private set; } = "";

    public bool HasExited => _exited.Task.IsCompleted;

    public int ProcessId => _process.Id;

    public string StandardError
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>A snapshot of every event received so far, in order.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get { lock (_gate) return [.. _events]; }
    }

    /// <summary>Installs the npm packages if needed, starts the peer and waits for its ready event.</summary>
    public static async Task<JsPeerProcess> StartAsync(JsPeerOptions options, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        await NodePeer.EnsureInstalledAsync();
        var start = new ProcessStartInfo(NodePeer.NodeExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = NodePeer.Directory,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in options.ToArguments()) start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var peer = new JsPeerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) peer.OnLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (peer._stderr) peer._stderr.AppendLine(e.Data); };
        process.Exited += (_, _) => peer.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var ready = await peer.WaitForEventAsync("ready", timeout: timeout);
            peer.Agent = ready.GetProperty("agent").GetString()!;
            peer.NoiseKeyHex = ready.GetProperty("noiseKey").GetString()!;
            peer.Port = ready.GetProperty("port").ValueKind == JsonValueKind.Number ? ready.GetProperty("port").GetInt32() : null;
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes one command line, e.g. <c>{"close": true}</c>.</summary>
    public async Task CommandAsync(JsonNode command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var line = command.ToJsonString();
        await _stdinGate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        finally
        {
            _stdinGate.Release();
        }
    }

    /// <summary>
    /// Asks the peer to send a message, to an agent id (or the default peer when null). With a ticket, a
    /// new connection opens with I (Noise IK) carrying it.
    /// </summary>
    public Task SendAsync(JsonObject message, string? to = null, string? reference = null, JsonObject? ticket = null)
    {
        var command = new JsonObject { ["send"] = message };
        if (to is not null) command["to"] = to;
        if (reference is not null) command["ref"] = reference;
        if (ticket is not null) command["ticket"] = ticket;
        return CommandAsync(command);
    }

    /// <summary>Asks the peer to send <paramref name="count"/> copies of a message as T packets on an open channel.</summary>
    public Task SendRepeatedAsync(JsonObject message, int count, string? to = null)
    {
        var command = new JsonObject { ["send"] = message, ["repeat"] = count };
        if (to is not null) command["to"] = to;
        return CommandAsync(command);
    }

    /// <summary>Waits until the peer has received <paramref name="count"/> messages in all (works in quiet mode too).</summary>
    public async Task WaitForReceivedCountAsync(long count, TimeSpan? timeout = null)
    {
        var before = EventCount;
        await CommandAsync(new JsonObject { ["notify"] = new JsonObject { ["received"] = count } });
        await WaitForEventAsync("reached", e => e.GetProperty("received").GetInt64() == count, timeout, before);
    }

    /// <summary>Asks the peer to send a message to an agent at an explicit host and port.</summary>
    public Task SendToAsync(JsonObject message, string agent, string host, int port) =>
        CommandAsync(new JsonObject
        {
            ["send"] = message,
            ["to"] = new JsonObject { ["agent"] = agent, ["host"] = host, ["port"] = port },
        });

    /// <summary>The first event (already received or still to come) that matches, within the deadline.</summary>
    /// <exception cref="TimeoutException">No such event in time; the message lists the events seen.</exception>
    /// <exception cref="InvalidOperationException">The process exited first.</exception>
    /// <param name="fromIndex">Ignore the events before this position (see <see cref="EventCount"/>).</param>
    public async Task<JsonElement> WaitForAsync(
        Func<JsonElement, bool> predicate, TimeSpan? timeout = null, string? description = null, int fromIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Waiter waiter;
        lock (_gate)
        {
            for (var i = fromIndex; i < _events.Count; i++)
                if (predicate(_events[i])) return _events[i];
            if (HasExited) throw Exited(description);
            waiter = new Waiter(predicate);
            _waiters.Add(waiter);
        }
        var limit = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            return await waiter.Completion.Task.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            lock (_gate) _waiters.Remove(waiter);
            throw new TimeoutException($"peer.js sent no {description ?? "matching"} event within {limit}. {Describe()}");
        }
    }

    /// <summary>The first event with this name (and matching the filter, if any).</summary>
    public Task<JsonElement> WaitForEventAsync(string name, Func<JsonElement, bool>? where = null, TimeSpan? timeout = null, int fromIndex = 0) =>
        WaitForAsync(e => IsEvent(e, name) && (where is null || where(e)), timeout, $"'{name}'", fromIndex);

    /// <summary>How many events have arrived; pass it as <c>fromIndex</c> to wait for a later one only.</summary>
    public int EventCount
    {
        get { lock (_gate) return _events.Count; }
    }

    /// <summary>The events with this name received so far.</summary>
    public IReadOnlyList<JsonElement> EventsNamed(string name) => Events.Where(e => IsEvent(e, name)).ToList();

    /// <summary>Asks for the message counts and returns the stats event that answers.</summary>
    public async Task<(long Received, long Sent, long Dropped)> StatsAsync(TimeSpan? timeout = null)
    {
        var before = EventCount;
        await CommandAsync(new JsonObject { ["stats"] = true });
        var stats = await WaitForEventAsync("stats", timeout: timeout, fromIndex: before);
        return (stats.GetProperty("received").GetInt64(), stats.GetProperty("sent").GetInt64(), stats.GetProperty("dropped").GetInt64());
    }

    /// <summary>Asks the peer to close its connections and exit, and waits for the exit.</summary>
    public async Task CloseAsync(TimeSpan? timeout = null)
    {
        if (!HasExited)
        {
            try { await CommandAsync(new JsonObject { ["close"] = true }); }
            catch (IOException) { } // it exited meanwhile
        }
        await _exited.Task.WaitAsync(timeout ?? DefaultTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException) { } // never started
        catch (TimeoutException) { }
        _process.Dispose();
        _stdinGate.Dispose();
    }

    public static bool IsEvent(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out var n) && n.ValueEquals(name);

    private void OnLine(string line)
    {
        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(line);
            element = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            lock (_stderr) _stderr.AppendLine("(stdout, not JSON) " + line);
            return;
        }
        List<Waiter> done = [];
        lock (_gate)
        {
            _events.Add(element);
            foreach (var waiter in _waiters)
                if (waiter.Predicate(element)) done.Add(waiter);
            foreach (var waiter in done) _waiters.Remove(waiter);
        }
        foreach (var waiter in done) waiter.Completion.TrySetResult(element);
    }

    private void OnExited()
    {
        // Let the asynchronous readers drain so no late event or error text is lost.
        _process.WaitForExit();
        List<Waiter> pending;
        lock (_gate)
        {
            pending = [.. _waiters];
            _waiters.Clear();
        }
        _exited.TrySetResult();
        foreach (var waiter in pending) waiter.Completion.TrySetException(Exited(null));
    }

    private InvalidOperationException Exited(string? description) =>
        new($"peer.js exited (code {SafeExitCode()}) before a {description ?? "matching"} event. {Describe()}");

    private string SafeExitCode()
    {
        try { return _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (InvalidOperationException) { return "?"; }
    }

    private string Describe()
    {
        var events = Events;
        var recent = events.Skip(Math.Max(0, events.Count - 30)).Select(e => e.GetRawText());
        return $"Last events:\n{string.Join('\n', recent)}\nstderr:\n{StandardError}";
    }

    private sealed class Waiter(Func<JsonElement, bool> predicate)
    {
        public Func<JsonElement, bool> Predicate { get; } = predicate;
        public TaskCompletionSource<JsonElement> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
