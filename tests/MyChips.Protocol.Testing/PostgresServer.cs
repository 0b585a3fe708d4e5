using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace MyChips.Protocol.Testing;

/// <summary>
/// A throwaway PostgreSQL server made from the machine's binaries (initdb, pg_ctl) in a temporary
/// folder, listening on a free loopback port. As root it runs as the <c>postgres</c> user, since
/// PostgreSQL refuses to run as root. Dispose stops it and removes the folder.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private const string ServiceUser = "postgres";

    private readonly string _binDirectory;
    private readonly string _folder;
    private int _databaseCounter;

    private PostgresServer(string binDirectory, string folder, int port)
    {
        _binDirectory = binDirectory;
        _folder = folder;
        Port = port;
    }

    public int Port { get; private set; }

    public string DataDirectory => Path.Combine(_folder, "data");

    public bool IsRunning { get; private set; }

    /// <summary>A connection string for the superuser on the given database.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = ServiceUser,
            Database = database,
            Pooling = true,
            Timeout = 5,
        }.ConnectionString;

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory();
        var folder = Directory.CreateTempSubdirectory("mychips-pg-").FullName;
        var server = new PostgresServer(bin, folder, FreeLoopbackPort());
        try
        {
            await server.InitializeAsync();
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a fresh database and returns its connection string, so tests do not share tables.</summary>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var name = $"{prefix ?? "test"}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid():N}".ToLowerInvariant();
        if (name.Length > 63) name = name[..63]; // PostgreSQL identifier limit
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (as a crash would), keeping its data for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning) return;
        await RunAsServiceUserAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        IsRunning = false;
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Starts the server (again) on the same port and data.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning) return;
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{_folder}' " +
                      "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunAsServiceUserAsync("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(_folder, "server.log"),
            "-o", options, "-w", "-t", "60", "start");
        IsRunning = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsRunning) await StopAsync();
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task InitializeAsync()
    {
        if (Environment.IsPrivilegedProcess)
            await ProcessRunner.RunCheckedAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", _folder], CommandTimeout);
        await RunAsServiceUserAsync("initdb", "-D", DataDirectory, "-U", ServiceUser, "--auth=trust",
            "-E", "UTF8", "--no-locale", "--no-sync");
    }

    private Task<ProcessResult> RunAsServiceUserAsync(string binary, params string[] arguments)
    {
        var path = Path.Combine(_binDirectory, binary);
        return Environment.IsPrivilegedProcess
            ? ProcessRunner.RunCheckedAsync("runuser", ["-u", ServiceUser, "--", path, .. arguments], CommandTimeout, _folder)
            : ProcessRunner.RunCheckedAsync(path, arguments, CommandTimeout, _folder);
    }

    private static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("MYCHIPS_PG_BIN");
        if (!string.IsNullOrEmpty(configured)) return RequireBinaries(configured, "MYCHIPS_PG_BIN");

        var onPath = ProcessRunner.FindOnPath("initdb");
        if (onPath is not null)
            return RequireBinaries(Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(true)?.FullName ?? onPath)!, "PATH");

        const string debianRoot = "/usr/lib/postgresql";
        var newest = Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            "PostgreSQL binary 'initdb' was not found (looked in MYCHIPS_PG_BIN, PATH and /usr/lib/postgresql/*/bin). " +
            "Install the PostgreSQL server binaries (Debian: postgresql-15) or set MYCHIPS_PG_BIN to their folder.");
    }

    private static string RequireBinaries(string dir, string source)
    {
        foreach (var binary in new[] { "initdb", "pg_ctl" })
        {
            if (!File.Exists(Path.Combine(dir, binary)))
                throw new InvalidOperationException($"PostgreSQL binary '{binary}' was not found in '{dir}' (from {source}).");
        }
        return dir;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One PostgreSQL server shared by the tests of a collection; started once, removed afterwards.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
