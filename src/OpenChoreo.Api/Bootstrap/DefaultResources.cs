using OpenChoreo.Model;

namespace OpenChoreo.Api.Bootstrap;

/// <summary>
/// The platform content a fresh installation has (upstream's default Organization, Project, environments, pipeline,
/// ComponentTypes and ComponentWorkflows), embedded in file-name order so organizations come before their contents.
/// </summary>
public static class DefaultResources
{
    private const string ResourcePrefix = "OpenChoreo.DefaultResources.";

    public static IReadOnlyList<ResourceObject> Load()
    {
        var asm = typeof(DefaultResources).Assembly;
        var result = new List<ResourceObject>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(asm.GetManifestResourceStream(name)!);
            foreach (var doc in YamlCodec.ReadAll(reader.ReadToEnd()))
            {
                result.Add(new ResourceObject(doc.AsObject()));
            }
        }
        return result;
    }
}
