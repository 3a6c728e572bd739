namespace OpenChoreo.ControlPlane.Tests;

/// <summary>Finds the upstream conformance material in <c>../shared/conformance</c> next to the repository.</summary>
public static class Conformance
{
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpenChoreo.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (OpenChoreo.slnx)");
        }
    }

    public static string OpenChoreoDir
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "conformance", "openchoreo-v0.8"));
            return Directory.Exists(path) ? path : throw new InvalidOperationException($"the upstream conformance material is missing at {path}");
        }
    }

    public static IEnumerable<string> SampleAndDefaultFiles() =>
        Directory.EnumerateFiles(Path.Combine(OpenChoreoDir, "samples"), "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(OpenChoreoDir, "default-resources"), "*.yaml"))
            .Order(StringComparer.Ordinal);
}
