using System.Globalization;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Consumer.Tests;

/// <summary>
/// Every package of src/, packed once for the test class into a folder feed with a version of its own (so no
/// package cache holds an older build under the same number).
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("mychips-feed-").FullName;

    public string Version { get; } = "0.0.0-consumer." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Environment.ProcessId;

    public async Task InitializeAsync()
    {
        foreach (var project in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.csproj", SearchOption.AllDirectories).Order())
        {
            var pack = await ConsumerPackageTests.Dotnet(RepositoryPaths.Root, "pack", project, "-c", "Release", "-o", Folder, $"-p:Version={Version}");
            Assert.True(pack.ExitCode == 0, pack.Describe());
        }
    }

    /// <summary>A fresh copy of the consumer project, pointed at this feed and version.</summary>
    public ConsumerProject NewConsumer()
    {
        var folder = Directory.CreateTempSubdirectory("mychips-consumer-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Consumer")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(folder, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{Folder}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup><MyChipsProtocolVersion>{Version}</MyChipsProtocolVersion></PropertyGroup>
            </Project>
            """);
        return new ConsumerProject(folder);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A consumer project in a temporary folder, removed when disposed.</summary>
public sealed class ConsumerProject(string folder) : IDisposable
{
    public string Folder { get; } = folder;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
