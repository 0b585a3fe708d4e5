namespace MyChips.Protocol.Connections;

/// <summary>
/// A connection's spec timeouts. After every step of the machine: a timeout armed in the new state starts if it
/// was not running, restarts if the step stayed in its state (traffic is activity), and stops in a state where
/// it is not armed; moving between two states that both arm it keeps it running, so a handshake timeout bounds
/// the whole handshake. Durations are the spec's unless the options override them. A restart only notes the time
/// (traffic costs no timer call); a timer that fires after a restart is deferred by what is left. Called under the
/// connection's step lock.
/// </summary>
internal sealed class ConnectionTimers : IDisposable
{
    private readonly IConnectionMachine _machine;
    private readonly ConnectionOptions _options;
    private readonly Action<string, int> _expired;
    private readonly ITimer?[] _running;
    private readonly int[] _generations;
    private readonly long[] _startedAt; // when the running timer's period began: its start or its last restart
    private readonly TimeSpan[] _durations;

    public ConnectionTimers(IConnectionMachine machine, ConnectionOptions options, Action<string, int> expired)
    {
        _machine = machine;
        _options = options;
        _expired = expired;
        _running = new ITimer?[machine.TimeoutNames.Count];
        _generations = new int[_running.Length];
        _startedAt = new long[_running.Length];
        _durations = new TimeSpan[_running.Length];
    }

    /// <summary>Brings the timers in line with the machine's state after a step.</summary>
    /// <param name="stayed">The step left the state as it was (a 'stay' transition).</param>
    public void Update(bool stayed)
    {
        var names = _machine.TimeoutNames;
        for (var i = 0; i < names.Count; i++)
        {
            var armed = !_machine.IsFinal && _machine.IsArmed(names[i]);
            if (!armed)
            {
                Stop(i);
                continue;
            }
            if (_running[i] is not null)
            {
                if (stayed) _startedAt[i] = _options.TimeProvider.GetTimestamp();
                continue;
            }
            var due = _options.ResolveTimeout(names[i], _machine.GetTimeout(names[i]));
            if (due == Timeout.InfiniteTimeSpan) continue; // turned off: no timer to hold
            (_startedAt[i], _durations[i]) = (_options.TimeProvider.GetTimestamp(), due);
            var (name, generation) = (names[i], ++_generations[i]);
            _running[i] = _options.TimeProvider.CreateTimer(static state => ((Action)state!)(), (Action)(() => _expired(name, generation)), due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Traffic the engine does not see (a session's own writes): every running timeout restarts as for a received
    /// packet. Only notes the time, so it may be called off the step lock; an expiry checks it under the lock.
    /// </summary>
    public void Restart()
    {
        var now = _options.TimeProvider.GetTimestamp();
        for (var i = 0; i < _running.Length; i++)
            if (Volatile.Read(ref _running[i]) is not null) Volatile.Write(ref _startedAt[i], now);
    }

    /// <summary>
    /// Whether an expiry is still the running timer's: a timer stopped or restarted while its expiry waited for
    /// the connection's lock is stale, and ignored.
    /// </summary>
    public bool IsCurrent(string name, int generation)
    {
        var index = IndexOf(name);
        return index >= 0 && _running[index] is not null && _generations[index] == generation;
    }

    /// <summary>
    /// A timer fired: true when traffic restarted it since, and it now runs again for what is left of its period;
    /// false when it is really due.
    /// </summary>
    public bool TryDefer(string name)
    {
        var index = IndexOf(name);
        if (index < 0 || _running[index] is not { } timer) return false;
        var left = _durations[index] - _options.TimeProvider.GetElapsedTime(_startedAt[index]);
        if (left <= TimeSpan.Zero) return false;
        timer.Change(left, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>A timer fired and its expiry is being handled: it no longer runs, so a state that stays re-arms it.</summary>
    public void Expired(string name)
    {
        var index = IndexOf(name);
        if (index >= 0) Stop(index);
    }

    private int IndexOf(string name)
    {
        var names = _machine.TimeoutNames;
        for (var i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return -1;
    }

    private void Stop(int index)
    {
        _running[index]?.Dispose();
        _running[index] = null;
    }

    public void Dispose()
    {
        for (var i = 0; i < _running.Length; i++) Stop(i);
    }
}
