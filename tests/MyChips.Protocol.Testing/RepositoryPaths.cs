using System.Reflection;

namespace MyChips.Protocol.Testing;

/// <summary>Where the repository and the shared material beside it are, for tests that read files.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root, recorded at build time and checked at run time.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The shared folder beside the repository (Noise vectors, reference texts).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Spec(string fileName) => Path.Combine(Root, "spec", fileName);

    private static string FindRoot()
    {
        var recorded = Assembly.GetCallingAssembly()
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        foreach (var start in new[] { recorded, AppContext.BaseDirectory })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MyChips.Protocol.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (the folder holding MyChips.Protocol.sln).");
    }
}
