using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Api.Resources;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Bootstrap;

/// <summary>
/// Creates the default platform content on the first start. Idempotent: objects that exist are left as they are, and
/// once every default exists an internal marker records it, so defaults a platform engineer deletes later stay
/// deleted. Set <c>bootstrap:defaultResources=false</c> to skip.
/// </summary>
public sealed partial class DefaultResourcesBootstrapper(ResourceService service, ReadinessGate gate,
    IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<DefaultResourcesBootstrapper> logger) : IHostedService
{
    public static readonly ResourceKey Marker = new("BootstrapRecord", "", "default-resources");

    public async Task StartAsync(CancellationToken ct)
    {
        lifetime.ApplicationStarted.Register(gate.MarkStarted);
        if (!configuration.GetValue("bootstrap:defaultResources", true)) return;
        using var hold = gate.Hold();
        if (await service.Store.GetAsync(Marker, ct) is not null) return;
        var created = 0;
        foreach (var obj in DefaultResources.Load())
        {
            var kind = service.KindOf(obj);
            var key = new ResourceKey(kind.Kind, kind.Namespaced ? obj.Namespace : "", obj.Name);
            if (await service.Store.GetAsync(key, ct) is not null) continue;
            try
            {
                await service.CreateAsync(obj, kind, ct);
                created++;
            }
            catch (ApiException e) when (e.Reason == StatusReasons.AlreadyExists)
            {
                // Another control-plane replica created it first.
            }
        }
        try
        {
            await service.Store.CreateAsync(new ResourceObject(new JsonObject
            {
                ["apiVersion"] = "internal.openchoreo.dev/v1",
                ["kind"] = Marker.Kind,
                ["metadata"] = new JsonObject { ["name"] = Marker.Name },
                ["spec"] = new JsonObject { ["objects"] = DefaultResources.Load().Count },
            }), ct);
        }
        catch (ApiException e) when (e.Reason == StatusReasons.AlreadyExists)
        {
        }
        LogBootstrapped(logger, created);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Default platform content created: {Created} objects")]
    private static partial void LogBootstrapped(ILogger logger, int created);
}
