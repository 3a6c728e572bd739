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

    /// <summary>Base domain D of the apps URLs (<c>*.apps.openchoreo.{D}</c>).</summary>
    public string Domain { get; set; } = "localhost";

    /// <summary>The ingress gateway's HTTP port (apps); 0 picks a free one.</summary>
    public int AppsHttpPort { get; set; } = 8080;

    /// <summary>The ingress gateway's HTTPS port (apps). Not 8443: that is the API's.</summary>
    public int AppsHttpsPort { get; set; } = 9443;

    /// <summary>Whether <c>up</c> runs the data plane (agent with the podman runtime, ingress gateway).</summary>
    public bool DataPlane { get; set; } = true;

    /// <summary>containers.conf for the podman service; empty: written for hosts without systemd, none otherwise.</summary>
    public string? ContainersConf { get; set; }

    /// <summary>The TLS flags of the last <c>up</c> that gave <c>--tls</c> (flag name without dashes → value), reused when none is given.</summary>
    public Dictionary<string, string> Tls { get; set; } = new(StringComparer.Ordinal);

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
            if (o["domain"] is JsonValue d && d.TryGetValue<string>(out var domain)) s.Domain = domain;
            if (o["appsHttpPort"] is JsonValue ah && ah.TryGetValue<long>(out var appsHttp)) s.AppsHttpPort = (int)appsHttp;
            if (o["appsHttpsPort"] is JsonValue ahs && ahs.TryGetValue<long>(out var appsHttps)) s.AppsHttpsPort = (int)appsHttps;
            if (o["dataPlane"] is JsonValue dp && dp.TryGetValue<bool>(out var dataPlane)) s.DataPlane = dataPlane;
            s.ContainersConf = (string?)o["containersConf"];
            if (o["tls"] is JsonObject tls)
                foreach (var (k, v) in tls)
                    if (v is JsonValue tv && tv.TryGetValue<string>(out var value)) s.Tls[k] = value;
        }
        return s;
    }

    public void Save(string dir) =>
        File.WriteAllText(Path.Combine(dir, FileName), YamlCodec.Write(new JsonObject
        {
            ["port"] = Port,
            ["gatewayPort"] = GatewayPort,
            ["contextName"] = ContextName,
            ["domain"] = Domain,
            ["appsHttpPort"] = AppsHttpPort,
            ["appsHttpsPort"] = AppsHttpsPort,
            ["dataPlane"] = DataPlane,
            ["containersConf"] = ContainersConf,
            ["tls"] = new JsonObject(Tls.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
        }).ToString(CultureInfo.InvariantCulture));
}
