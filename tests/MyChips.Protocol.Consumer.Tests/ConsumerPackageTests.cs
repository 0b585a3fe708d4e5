using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Consumer.Tests;

/// <summary>
/// A project outside this repository, built from the packages alone, as the README's "Use it in your project"
/// tells a library consumer: pack to a local folder feed, reference MyChips.Protocol, add a spec of its own, use
/// the generated types; a mistake in the spec is a build error at its line and column; the command line installs
/// as a .NET tool.
/// </summary>
[Trait("Category", "Consumer")]
public sealed class ConsumerPackageTests : IClassFixture<PackedFeed>
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(5);
    private readonly PackedFeed _feed;

    public ConsumerPackageTests(PackedFeed feed) => _feed = feed;

    [Fact]
    public async Task A_consumer_builds_its_own_spec_from_the_packages_and_uses_the_generated_types()
    {
        using var project = _feed.NewConsumer();

        var run = await Dotnet(project.Folder, "run");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("Done hi Hello=H", run.StandardOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(project.Folder, "obj", "project.assets.json")));
    }

    [Fact]
    public async Task A_mistake_in_the_consumer_s_spec_is_a_build_error_at_its_line_and_column()
    {
        using var project = _feed.NewConsumer();
        var spec = Path.Combine(project.Folder, "beacon.protocol");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("Greeted on receive Hello", "Greeted on receive Goodbye", StringComparison.Ordinal));

        var build = await Dotnet(project.Folder, "build");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("beacon.protocol(21,22): error MCP0003: Unknown packet 'Goodbye'", build.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_line_installs_as_a_dotnet_tool()
    {
        var tools = Directory.CreateTempSubdirectory("mychips-tools-").FullName;
        try
        {
            var install = await Dotnet(tools, "tool", "install", "mychips-peer", "--tool-path", tools, "--add-source", _feed.Folder, "--version", _feed.Version);
            Assert.True(install.ExitCode == 0, install.Describe());

            var help = await ProcessRunner.RunAsync(Path.Combine(tools, "mychips-peer"), ["--help"], Slow);

            Assert.True(help.ExitCode == 0, help.Describe());
            Assert.Contains("send", help.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }

    /// <summary>
    /// Runs the dotnet CLI as a user's shell would: without the MSBuild variables the test host inherited from the
    /// build that started it, which would point the consumer's build at this repository's build instead.
    /// </summary>
    internal static Task<ProcessResult> Dotnet(string folder, params string[] arguments)
    {
        var environment = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                environment[name] = null;
        }
        return ProcessRunner.RunAsync("dotnet", arguments, Slow, folder, environment: environment);
    }
}
