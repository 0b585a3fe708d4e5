using System.Diagnostics;
using System.Threading.Channels;

namespace MyChips.Protocol.Traversal.Node;

/// <summary>A traversal-node process inside a namespace (through <c>ip netns exec</c>), its output read line by line.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _errors = [];

    private NodeProcess(Process process) => _process = process;

    public static NodeProcess Start(string @namespace, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in (string[])["netns", "exec", @namespace, DotNet, typeof(NodeProcess).Assembly.Location, .. arguments]) start.ArgumentList.Add(argument);
        var node = new NodeProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        node._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) node._lines.Writer.TryComplete();
            else node._lines.Writer.TryWrite(e.Data);
        };
        node._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node._errors) node._errors.Add(e.Data); };
        node._process.Start();
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        return node;
    }

    /// <summary>The first output line starting with <paramref name="prefix"/> (the rest of it), or an error with the process's output when it ends first or the time runs out.</summary>
    public async Task<string> LineAsync(string prefix, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(deadline.Token))
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line[prefix.Length..].Trim();
        }
        catch (OperationCanceledException)
        {
        }
        throw new InvalidOperationException($"no '{prefix}' line from the node within {timeout.TotalSeconds:0} s; its errors: {Errors}");
    }

    public string Errors
    {
        get { lock (_errors) return string.Join('\n', _errors.TakeLast(20)); }
    }

    /// <summary>Closes its input (a rendezvous server then stops) and waits briefly; kills it if it is still running.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string DotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
