namespace OpenChoreo.Validation.Tests;

/// <summary>Locates the repository and the shared conformance material next to it.</summary>
internal static class TestFiles
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenChoreo.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"OpenChoreo.slnx not found above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// <c>shared/conformance/openchoreo-v0.8</c> beside the repository root. A git worktree may sit deeper than the
    /// main checkout (e.g. <c>/work/wt/x</c> beside <c>/work/main</c>), so each ancestor of the root is tried in turn.
    /// </summary>
    public static string Conformance()
    {
        var root = RepoRoot();
        for (var dir = Directory.GetParent(root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance", "openchoreo-v0.8");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            $"shared/conformance/openchoreo-v0.8 was not found beside the repository root {root} (looked in {Path.GetDirectoryName(root)}/shared and above). " +
            "It holds the upstream samples these tests validate; restore it next to the checkout.");
    }
}
