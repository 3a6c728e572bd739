using System.CommandLine;
using System.Text.Json.Nodes;

namespace OpenChoreo.Cli.Commands;

/// <summary><c>occ plane join-token TYPE NAME [-n ORG]</c>: a one-time token and the CA fingerprint for <c>openchoreo agent</c>.</summary>
public static class PlaneCommand
{
    private static readonly string[] PlaneTypes = ["dataplane", "buildplane", "observabilityplane"];

    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var type = new Argument<string>("type") { Description = "dataplane, buildplane or observabilityplane" };
        type.AcceptOnlyFromAmong(PlaneTypes);
        var name = new Argument<string>("name") { Description = "The plane resource's name" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Organization (namespace); default: the context's" };
        var joinToken = new Command("join-token", "Create a one-time, short-lived join token for a plane's agent") { type, name, ns };
        joinToken.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            using var client = globals.Connect(p);
            var org = p.GetValue(ns) ?? client.Context.Namespace;
            var path = $"/api/v1/namespaces/{Uri.EscapeDataString(org)}/planes/{p.GetValue(type)}/{Uri.EscapeDataString(p.GetValue(name)!)}/join-token";
            using var response = await client.Http.PostAsync(path.TrimStart('/'), null, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new CliException($"the control plane refused ({(int)response.StatusCode}): {(body.Length > 300 ? body[..300] : body)}");
            var json = JsonNode.Parse(body)!;
            await io.Out.WriteLineAsync($"token:          {(string?)json["token"]}");
            await io.Out.WriteLineAsync($"ca-fingerprint: sha256:{(string?)json["caFingerprint"]}");
            await io.Out.WriteLineAsync($"expires:        {(string?)json["expiresAt"]}");
            await io.Out.WriteLineAsync();
            await io.Out.WriteLineAsync($"openchoreo agent --plane-type {p.GetValue(type)} --plane-name {p.GetValue(name)} --namespace {org} " +
                $"--control-plane {client.Context.Server} --join-token <token> --ca-fingerprint sha256:{(string?)json["caFingerprint"]} --data-dir <dir>");
            return 0;
        }));
        return new Command("plane", "Plane enrollment") { joinToken };
    }
}
