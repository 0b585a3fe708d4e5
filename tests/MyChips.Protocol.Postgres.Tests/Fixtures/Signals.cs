namespace MyChips.Protocol.Postgres.Tests.Fixtures;

internal static class Signals
{
    // A guard against a hang, not a measurement: every awaited event normally comes within milliseconds.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Task<T> Within<T>(this TaskCompletionSource<T> source) => source.Task.WaitAsync(Patience);

    public static Task Within(this Task task) => task.WaitAsync(Patience);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Patience);

    public static TaskCompletionSource<T> New<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the provider's listener reaches the given state.</summary>
    public static Task ReachesAsync(this PostgresKeyProvider provider, AgentListenerState state)
    {
        var reached = New<bool>();
        provider.ListenerStateChanged += (_, now) =>
        {
            if (now == state) reached.TrySetResult(true);
        };
        if (provider.ListenerState == state) reached.TrySetResult(true);
        return reached.Task.WaitAsync(Patience);
    }
}
