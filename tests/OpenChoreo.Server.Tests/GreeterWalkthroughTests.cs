using System.Net;

namespace OpenChoreo.Server.Tests;

/// <summary>
/// samples/README.md step by step against the real <c>up</c>: build the greeter, apply it, wait for Ready, call it over
/// HTTPS through the ingress gateway trusting only the platform CA; then promote it to staging, ship version 2 and roll
/// staging back.
/// </summary>
public sealed class GreeterWalkthroughTests(UpFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);
    private UpInstance Up => fixture.Up;

    [Fact]
    public async Task Readme_walkthrough_reaches_the_greeter_then_promote_and_rollback_change_what_answers()
    {
        // 2. Build the image.
        var build = await UpInstance.ScriptAsync("samples/build.sh", "greeter");
        build.Code.ShouldBe(0, build.ToString());
        build.Out.ShouldContain("built localhost/openchoreo-samples/greeter:1");

        // 3. Apply the Component and its Workload.
        var apply = await Up.OccAsync("apply", "-f", "samples/greeter/greeter.yaml");
        apply.Code.ShouldBe(0, apply.ToString());
        apply.Out.ShouldContain("component.openchoreo.dev/greeter created");
        apply.Out.ShouldContain("workload.openchoreo.dev/greeter-workload created");
        var components = await Up.OccAsync("get", "components");
        components.Out.ShouldContain("greeter");

        // ... until 'occ status greeter' says development is Ready.
        var devRelease = await WaitReadyAsync("greeter", "development");

        // occ status prints the URL to open, with the gateway's port.
        (await Up.StatusAsync("greeter", "development")).Url.ShouldBe($"https://development.{UpInstance.AppsDomain}:{Up.AppsHttpsPort}/greeter");

        // 4. Call it as curl --cacert does.
        using var http = Up.CreateAppsClient();
        using (var page = await http.GetAsync(Up.ServiceUrl("development", "greeter"), Ct))
        {
            page.StatusCode.ShouldBe(HttpStatusCode.OK, Up.LogTail());
            (await page.Content.ReadAsStringAsync(Ct)).ShouldContain("Hello from the OpenChoreo greeter sample");
        }
        (await GreetAsync(http, "development")).ShouldStartWith("Hello, Ada! (greeter v1, served by ");

        // Promote to staging: a second URL answers with the same release.
        var promote = await Up.OccAsync("promote", "greeter", "--from", "development", "--to", "staging");
        promote.Code.ShouldBe(0, promote.ToString());
        (await WaitReadyAsync("greeter", "staging")).ShouldBe(devRelease);
        (await GreetAsync(http, "staging")).ShouldStartWith("Hello, Ada! (greeter v1, ");

        // Version 2 reaches development (autoDeploy) and then staging:
        // samples/build.sh greeter:2; sed 's/greeter:1/greeter:2/' samples/greeter/greeter.yaml | bin/occ apply -f -
        var build2 = await UpInstance.ScriptAsync("samples/build.sh", "greeter:2");
        build2.Code.ShouldBe(0, build2.ToString());
        var v1 = await File.ReadAllTextAsync(Path.Combine(UpInstance.RepoRoot, "samples/greeter/greeter.yaml"), Ct);
        v1.ShouldContain("greeter:1");
        var applyV2 = await Up.OccWithInputAsync(v1.Replace("greeter:1", "greeter:2"), "apply", "-f", "-");
        applyV2.Code.ShouldBe(0, applyV2.ToString());
        applyV2.Out.ShouldContain("workload.openchoreo.dev/greeter-workload configured");
        await WaitAnswerAsync(http, "development", "(greeter v2, ");
        (await WaitReadyAsync("greeter", "development")).ShouldNotBe(devRelease);
        (await Up.OccAsync("promote", "greeter", "--from", "development", "--to", "staging")).Code.ShouldBe(0);
        await WaitAnswerAsync(http, "staging", "(greeter v2, ");

        // Rolling staging back restores the version 1 image.
        var rollback = await Up.OccAsync("rollback", "greeter", "--env", "staging");
        rollback.Code.ShouldBe(0, rollback.ToString());
        await WaitAnswerAsync(http, "staging", "(greeter v1, ");
        (await WaitReadyAsync("greeter", "staging")).ShouldBe(devRelease);
        (await GreetAsync(http, "development")).ShouldContain("(greeter v2, ");
    }

    private async Task<string> GreetAsync(HttpClient http, string environment)
    {
        using var response = await http.GetAsync(Up.ServiceUrl(environment, "greeter", "cgi-bin/greet?name=Ada"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{body}\n{Up.LogTail()}");
        return body;
    }

    /// <summary>Polls the greeting until it contains <paramref name="expected"/> (a rollout replaces replicas one by one).</summary>
    private Task WaitAnswerAsync(HttpClient http, string environment, string expected) =>
        Up.WaitAsync($"{environment} answers '{expected}'", Settle, async () =>
        {
            using var response = await http.GetAsync(Up.ServiceUrl(environment, "greeter", "cgi-bin/greet?name=Ada"), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            return response.IsSuccessStatusCode && body.Contains(expected, StringComparison.Ordinal) ? null : $"{(int)response.StatusCode} {body}";
        }, Ct);

    private async Task<string> WaitReadyAsync(string component, string environment)
    {
        var release = "";
        await Up.WaitAsync($"{component} is Ready in {environment}", Settle, async () =>
        {
            var (ready, name, _) = await Up.StatusAsync(component, environment);
            release = name;
            return ready == "True" ? null : ready;
        }, Ct);
        return release;
    }
}
