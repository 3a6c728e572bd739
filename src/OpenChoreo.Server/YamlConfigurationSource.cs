using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using OpenChoreo.Model;

namespace OpenChoreo.Server;

/// <summary>Reads one YAML file into configuration keys (<c>store:driver</c>, <c>api:maxRequestBodyBytes</c>…).</summary>
public sealed class YamlConfigurationSource(string path) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(path);

    private sealed class Provider(string path) : ConfigurationProvider
    {
        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            JsonNode? root;
            try
            {
                root = YamlCodec.ReadOne(File.ReadAllText(path));
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"the configuration file {path} is not valid YAML: {e.Message}", e);
            }
            if (root is not null and not JsonObject)
            {
                throw new InvalidOperationException($"the configuration file {path} must hold a mapping at the top");
            }
            Flatten(root, "", data);
            Data = data;
        }

        private static void Flatten(JsonNode? node, string prefix, Dictionary<string, string?> data)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o) Flatten(v, prefix.Length == 0 ? k : $"{prefix}:{k}", data);
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) Flatten(a[i], $"{prefix}:{i.ToString(CultureInfo.InvariantCulture)}", data);
                    break;
                case JsonValue v:
                    data[prefix] = v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();
                    break;
                default:
                    data[prefix] = null;
                    break;
            }
        }
    }
}
