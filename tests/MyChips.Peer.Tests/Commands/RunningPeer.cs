using System.Text.Json;
using MyChips.Peer.Commands;

namespace MyChips.Peer.Tests.Commands;

/// <summary>The <c>run</c> command in process: started, awaited on its "listening" line, stopped by disposing.</summary>
internal sealed class RunningPeer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private RunningPeer(RunCommand.Settings settings)
    {
        Run = Task.Run(() => RunCommand.RunAsync(settings, Output, Error, _stop.Token));
    }

    public LineWriter Output { get; } = new();
    public StringWriter Error { get; } = new();
    public Task<int> Run { get; }
    public string Address { get; private set; } = "";
    public JsonElement Listening { get; private set; }

    public static async Task<RunningPeer> StartAsync(RunCommand.Settings settings)
    {
        var peer = new RunningPeer(settings);
        var line = await Task.WhenAny(peer.Output.WaitForLineAsync("\"listening\"", CliHarness.Deadline), peer.FailedEarly()).Unwrap();
        peer.Listening = JsonDocument.Parse(line).RootElement.Clone();
        peer.Address = peer.Listening.GetProperty("listening").GetString()!;
        return peer;
    }

    /// <summary>Stops the node as Ctrl+C would and returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run.WaitAsync(CliHarness.Deadline);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted) await StopAsync();
        _stop.Dispose();
    }

    private async Task<string> FailedEarly()
    {
        var exit = await Run;
        throw new InvalidOperationException($"run exited with {exit} before listening: {Error}");
    }
}
