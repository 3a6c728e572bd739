using System.Net;

namespace OpenChoreo.Server.Tests;

/// <summary>The static web application and the two-component app from samples/, deployed on the real <c>up</c> and deleted again.</summary>
public sealed class SampleAppsTests(UpFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);
    private UpInstance Up => fixture.Up;

    [Fact]
    public async Task Static_web_app_serves_its_page_at_its_own_host_and_delete_leaves_no_container()
    {
        var apply = await Up.OccAsync("apply", "-f", "samples/static-web/static-web.yaml");
        apply.Code.ShouldBe(0, apply.ToString());
        await WaitReadyAsync("static-web");

        using var http = Up.CreateAppsClient();
        using (var page = await http.GetAsync(Up.WebAppUrl("static-web", "development"), Ct))
        {
            page.StatusCode.ShouldBe(HttpStatusCode.OK, Up.LogTail());
            page.Content.Headers.ContentType?.MediaType.ShouldBe("text/html");
            (await page.Content.ReadAsStringAsync(Ct)).ShouldContain("<h1>OpenChoreo static web sample</h1>");
        }
        using (var css = await http.GetAsync(Up.WebAppUrl("static-web", "development", "style.css"), Ct))
        {
            css.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await css.Content.ReadAsStringAsync(Ct)).ShouldContain("h1 { color: #2a6; }");
        }
        (await Up.ContainersAsync("openchoreo.dev/component=static-web")).Count.ShouldBeGreaterThan(0);

        await DeleteAndExpectNothingLeftAsync(http, Up.WebAppUrl("static-web", "development"), "static-web");
    }

    [Fact]
    public async Task Two_tier_frontend_answers_with_data_from_its_backend_called_by_service_name()
    {
        var apply = await Up.OccAsync("apply", "-f", "samples/two-tier/two-tier.yaml");
        apply.Code.ShouldBe(0, apply.ToString());
        apply.Out.ShouldContain("component.openchoreo.dev/quotes-api created");
        apply.Out.ShouldContain("component.openchoreo.dev/quotes-web created");
        await WaitReadyAsync("quotes-api");
        await WaitReadyAsync("quotes-web");

        using var http = Up.CreateAppsClient();
        using (var quote = await http.GetAsync(Up.WebAppUrl("quotes-web", "development", "cgi-bin/quote"), Ct))
        {
            var body = await quote.Content.ReadAsStringAsync(Ct);
            quote.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            body.ShouldStartWith("quotes-web on ");
            body.ShouldContain("""got from the api: {"quote": "Simplicity is prerequisite for reliability.", "by": "Edsger W. Dijkstra"}""");
        }
        // The back end is not exposed: no route reaches it from outside.
        using (var hidden = await http.GetAsync(Up.ServiceUrl("development", "quotes-api"), Ct))
            hidden.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await DeleteAndExpectNothingLeftAsync(http, Up.WebAppUrl("quotes-web", "development", "cgi-bin/quote"), "quotes-web", "quotes-api");
    }

    private async Task DeleteAndExpectNothingLeftAsync(HttpClient http, Uri url, params string[] components)
    {
        foreach (var component in components)
        {
            var delete = await Up.OccAsync("delete", "component", component);
            delete.Code.ShouldBe(0, delete.ToString());
        }
        foreach (var component in components)
            await Up.WaitAsync($"no container of {component} is left", Settle, async () =>
            {
                var left = await Up.ContainersAsync("openchoreo.dev/component=" + component);
                return left.Count == 0 ? null : string.Join(", ", left.Select(c => c!["Names"]?.ToJsonString()));
            }, Ct);
        await Up.WaitAsync($"{url} is no longer served", Settle, async () =>
        {
            using var response = await http.GetAsync(url, Ct);
            return response.StatusCode == HttpStatusCode.NotFound ? null : ((int)response.StatusCode).ToString();
        }, Ct);
    }

    private Task WaitReadyAsync(string component) =>
        Up.WaitAsync($"{component} is Ready in development", Settle, async () =>
        {
            var (ready, _, _) = await Up.StatusAsync(component, "development");
            return ready == "True" ? null : ready;
        }, Ct);
}
