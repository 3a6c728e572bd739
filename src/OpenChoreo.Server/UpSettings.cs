using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Server;

/// <summary>What <c>up</c> remembers per data directory (<c>up.yaml</c>): the port and the CLI context name.</summary>
internal sealed class UpSettings
{
    private const string FileName = "up.yaml";

    public int Port { get; set; } = 8443;

    /// <summary>The cluster gateway's port (agents' mTLS listener).</summary>
    public int GatewayPort { get; set; } = 8444;

    public string? ContextName { get; set; }

    public static UpSettings Load(string dir)
    {
        var path = Path.Combine(dir, FileName);
        var s = new UpSettings();
        if (!File.Exists(path)) return s;
        if (YamlCodec.ReadOne(File.ReadAllText(path)) is JsonObject o)
        {
            if (o["port"] is JsonValue p && p.TryGetValue<long>(out var port)) s.Port = (int)port;
            if (o["gatewayPort"] is JsonValue g && g.TryGetValue<long>(out var gatewayPort)) s.GatewayPort = (int)gatewayPort;
            s.ContextName = (string?)o["contextName"];
        }
        return s;
    }

    public void Save(string dir) =>
        File.WriteAllText(Path.Combine(dir, FileName), YamlCodec.Write(new JsonObject
        {
            ["port"] = Port,
            ["gatewayPort"] = GatewayPort,
            ["contextName"] = ContextName,
        }).ToString(CultureInfo.InvariantCulture));
}
