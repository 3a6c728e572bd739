using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Tests;

/// <summary>Locates the repository, the shared conformance material and this project's golden files.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>&lt;repo root&gt;/../shared</c> (or the nearest <c>shared</c> beside an ancestor, for git worktrees).</summary>
    public static string Shared { get; } = FindShared();

    public static string Conformance => Path.Combine(Shared, "conformance", "openchoreo-v0.8");

    public static string Golden => Path.Combine(RepoRoot, "tests", "OpenChoreo.Rendering.Tests", "golden");

    public static bool UpdateGolden => Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";

    public static IReadOnlyList<JsonObject> ReadManifests(params string[] relativePaths)
    {
        var result = new List<JsonObject>();
        foreach (var rel in relativePaths)
            foreach (var doc in YamlCodec.ReadAll(File.ReadAllText(Path.Combine(Conformance, rel))))
                if (doc is JsonObject o) result.Add(o);
        return result;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenChoreo.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"cannot find the repository root (a directory holding OpenChoreo.slnx) above {AppContext.BaseDirectory}");
    }

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(RepoRoot).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "conformance", "openchoreo-v0.8"))) return candidate;
        }
        throw new InvalidOperationException(
            $"cannot find the shared conformance material: expected {Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"))}/conformance/openchoreo-v0.8");
    }
}
