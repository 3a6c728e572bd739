using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Acme;

namespace OpenChoreo.Server;

/// <summary>
/// The control plane's plain-HTTP listener (<c>httpListen</c>, port 80 in real installs): ACME HTTP-01 answers from the
/// shared <see cref="Http01ChallengeStore"/>, and a redirect to the https listener for the hosts this control plane
/// serves. Nothing else is reachable over plain HTTP (the API carries bearer tokens).
/// </summary>
public static class PlainHttpListener
{
    public static IApplicationBuilder UsePlainHttpListener(this WebApplication app, Http01ChallengeStore store, ControlPlaneOptions options)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1" };
        if (!string.IsNullOrEmpty(options.Domain)) hosts.UnionWith(ControlPlaneHosts.All(options.Domain));
        hosts.UnionWith(options.Tls.DnsNames.Where(n => !string.IsNullOrWhiteSpace(n)));
        int? httpsPort = null;
        return app.MapWhen(c => !c.Request.IsHttps, branch =>
        {
            branch.UseAcmeHttp01Challenges(store);
            branch.Run(context =>
            {
                var host = context.Request.Host.Host;
                if (!hosts.Contains(host))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
                httpsPort ??= HttpsPort(context.RequestServices);
                var port = httpsPort is 443 or null ? "" : ":" + httpsPort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = $"https://{host}{port}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                return Task.CompletedTask;
            });
        });
    }

    /// <summary>The port the https listener bound (the configured one may be 0).</summary>
    private static int? HttpsPort(IServiceProvider services) =>
        services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => new Uri(a)).FirstOrDefault(u => u.Scheme == "https")?.Port;
}
