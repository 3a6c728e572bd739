namespace OpenChoreo.Server.Tests;

/// <summary>samples/build.sh refuses what it cannot build, with the reason, before building anything.</summary>
public sealed class SampleBuildScriptTests
{
    [Theory]
    [InlineData("no-such-sample", "error: no sample 'no-such-sample'")]
    [InlineData("greeter:bad tag", "error: bad tag 'bad tag' in 'greeter:bad tag'")]
    public async Task Bad_names_fail_with_the_reason_and_build_nothing(string arg, string error)
    {
        var images = await ChildProcess.RunAsync("podman", ["images", "--format", "{{.Repository}}:{{.Tag}}"], timeout: TimeSpan.FromSeconds(30), ct: TestContext.Current.CancellationToken);
        var result = await UpInstance.ScriptAsync("samples/build.sh", arg);
        result.Code.ShouldBe(1);
        result.Err.ShouldContain(error);
        result.Out.ShouldNotContain("built ");
        (await ChildProcess.RunAsync("podman", ["images", "--format", "{{.Repository}}:{{.Tag}}"], timeout: TimeSpan.FromSeconds(30), ct: TestContext.Current.CancellationToken)).Out
            .Split('\n').Where(l => l.StartsWith("localhost/openchoreo-samples/", StringComparison.Ordinal)).Order()
            .ShouldBe(images.Out.Split('\n').Where(l => l.StartsWith("localhost/openchoreo-samples/", StringComparison.Ordinal)).Order());
    }
}
