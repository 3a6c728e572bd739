using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Client;

/// <summary>One control plane the CLI can talk to, and the defaults it uses there.</summary>
public sealed class ClientContext
{
    public required string Name { get; set; }
    public required string Server { get; set; }

    /// <summary>PEM of the CA(s) that sign the API server's certificate; empty to use the system trust store.</summary>
    public string? CertificateAuthority { get; set; }

    public string? Token { get; set; }

    /// <summary>The organization (namespace) commands use when none is given.</summary>
    public string Namespace { get; set; } = "default";

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["name"] = Name, ["server"] = Server, ["namespace"] = Namespace };
        if (!string.IsNullOrEmpty(CertificateAuthority)) o["certificateAuthority"] = CertificateAuthority;
        if (!string.IsNullOrEmpty(Token)) o["token"] = Token;
        return o;
    }

    public static ClientContext FromJson(JsonObject o) => new()
    {
        Name = (string?)o["name"] ?? throw new FormatException("a context has no name"),
        Server = (string?)o["server"] ?? throw new FormatException($"context \"{o["name"]}\" has no server"),
        CertificateAuthority = (string?)o["certificateAuthority"],
        Token = (string?)o["token"],
        Namespace = (string?)o["namespace"] ?? "default",
    };
}

/// <summary>
/// The CLI configuration file (<c>~/.openchoreo/config</c>, or <c>$OPENCHOREO_CONFIG</c>): named contexts and the
/// current one. It holds tokens, so it is written with mode 0600.
/// </summary>
public sealed class ClientConfig
{
    public const string EnvironmentVariable = "OPENCHOREO_CONFIG";

    public string? CurrentContext { get; set; }

    public List<ClientContext> Contexts { get; } = [];

    public static string DefaultPath =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".openchoreo", "config");

    public ClientContext? Current => Contexts.FirstOrDefault(c => c.Name == CurrentContext);

    /// <summary>Adds or replaces a context and, optionally, makes it current.</summary>
    public void Upsert(ClientContext context, bool makeCurrent)
    {
        Contexts.RemoveAll(c => c.Name == context.Name);
        Contexts.Add(context);
        if (makeCurrent || CurrentContext is null) CurrentContext = context.Name;
    }

    public static ClientConfig Load(string path)
    {
        var config = new ClientConfig();
        if (!File.Exists(path)) return config;
        var node = YamlCodec.ReadOne(File.ReadAllText(path)) as JsonObject;
        if (node is null) return config;
        config.CurrentContext = (string?)node["currentContext"];
        if (node["contexts"] is JsonArray contexts)
        {
            foreach (var c in contexts.OfType<JsonObject>()) config.Contexts.Add(ClientContext.FromJson(c));
        }
        return config;
    }

    public void Save(string path)
    {
        var node = new JsonObject
        {
            ["apiVersion"] = "openchoreo.dev/v1",
            ["kind"] = "Config",
            ["currentContext"] = CurrentContext,
            ["contexts"] = new JsonArray(Contexts.Select(c => (JsonNode?)c.ToJson()).ToArray()),
        };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(tmp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(YamlCodec.Write(node));
        }
        File.Move(tmp, path, overwrite: true);
    }
}
