using OpenChoreo.Model;

namespace OpenChoreo.Controllers.Tests;

/// <summary>The upstream samples in the shared conformance material, and this repository's rendering golden files.</summary>
internal static class Samples
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Conformance { get; } = FindConformance();

    public static IReadOnlyList<ResourceObject> Read(string relativePath) =>
        [.. YamlCodec.ReadAll(File.ReadAllText(Path.Combine(Conformance, relativePath))).Select(d => new ResourceObject(d.AsObject()))];

    /// <summary>A golden render of the rendering tests (<c>tests/OpenChoreo.Rendering.Tests/golden/…</c>).</summary>
    public static string GoldenText(string relativePath) =>
        File.ReadAllText(Path.Combine(RepoRoot, "tests", "OpenChoreo.Rendering.Tests", "golden", relativePath));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenChoreo.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no OpenChoreo.slnx above {AppContext.BaseDirectory}");
    }

    private static string FindConformance()
    {
        for (var dir = new DirectoryInfo(RepoRoot).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance", "openchoreo-v0.8");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"no shared/conformance/openchoreo-v0.8 beside an ancestor of {RepoRoot}");
    }
}
