[assembly: AssemblyFixture(typeof(OpenChoreo.Server.Tests.UpFixture))]

namespace OpenChoreo.Server.Tests;

/// <summary>
/// One real <c>openchoreo up</c> for every test of the assembly (each test uses its own components), with the sample
/// images built. Stopping it is checked too: <c>./openchoreo down</c> must end the process and leave no container or
/// network of this instance behind.
/// </summary>
public sealed class UpFixture : IAsyncLifetime
{
    public static readonly string[] SampleImages = ["greeter", "greeter:2", "static-web", "scheduled-task", "two-tier/api", "two-tier/web"];

    private UpInstance? _up;

    public UpInstance Up => _up ?? throw new InvalidOperationException("openchoreo up did not start");

    public async ValueTask InitializeAsync()
    {
        var build = await UpInstance.ScriptAsync("samples/build.sh", SampleImages);
        if (build.Code != 0) throw new InvalidOperationException($"samples/build.sh failed: {build}");
        _up = await UpInstance.StartAsync(TimeSpan.FromMinutes(2), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_up is null) return;
        try
        {
            var down = await _up.DownAsync(CancellationToken.None);
            if (down.Code != 0) throw new InvalidOperationException($"./openchoreo down failed: {down}\n{_up.LogTail()}");
            if (_up.IsRunning) throw new InvalidOperationException($"openchoreo up still runs after down:\n{_up.LogTail()}");
            var left = await _up.ContainersAsync();
            var networks = await _up.NetworksAsync();
            if (left.Count > 0 || networks.Length > 0)
                throw new InvalidOperationException($"after down, {left.Count} container(s) and networks [{string.Join(", ", networks)}] of plane {_up.RuntimePlane} remain:\n"
                    + string.Join('\n', left.Select(c => $"{c!["Names"]} {c["State"]}")) + "\n" + _up.LogTail());
        }
        finally
        {
            await _up.DisposeAsync();
        }
    }
}
