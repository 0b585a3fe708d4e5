using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MyChips.Peer.Commands;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Testing;

namespace MyChips.Peer.Tests.Commands;

/// <summary>Runs the CLI in process (writers captured) or as the real executable, and makes key files for it.</summary>
internal static class CliHarness
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The built mychips-peer.dll, copied beside the tests by the project reference.</summary>
    public static string PeerDll { get; } = Path.Combine(AppContext.BaseDirectory, "mychips-peer.dll");

    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CommandLineRunner.InvokeAsync(PeerCommands.CreateRoot(), args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    public static Task<ProcessResult> RunExecutableAsync(string workingDirectory, params string[] args) =>
        ProcessRunner.RunAsync(DotNet, [PeerDll, .. args], Deadline, workingDirectory);

    public static string DotNet { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : Process.GetCurrentProcess().MainModule?.FileName is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : "dotnet";

    /// <summary>Writes a key file for a loopback site, by default on port 0 (the system picks a free port).</summary>
    public static (string Path, AgentId Agent) WriteKey(string folder, string name, int port = 0)
    {
        using var key = AgentKey.Generate("127.0.0.1", port);
        var path = System.IO.Path.Combine(folder, name + AgentKeyFile.Extension);
        AgentKeyFile.Save(key, path);
        return (path, key.Agent);
    }

    /// <summary>A loopback port with nothing listening on it (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static IReadOnlyList<JsonElement> JsonLinesOf(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
}
