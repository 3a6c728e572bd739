using OpenChoreo.Acme.Tests.Fixtures;

namespace OpenChoreo.Acme.Tests;

public sealed class CloudflareProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Solver_creates_the_txt_record_in_the_enclosing_zone_and_deletes_it()
    {
        await using var api = await FakeCloudflareApi.StartAsync();
        using var http = new HttpClient();
        var solver = new DnsProviderChallengeSolver(new CloudflareDnsProvider(http, new CloudflareOptions { ApiBase = api.ApiBase, ApiToken = FakeCloudflareApi.Token }));
        var request = new ChallengeRequest("a.b.example.test", "tok", "tok.thumb");

        await solver.PresentAsync(request, Ct);
        var record = api.Records.Values.ShouldHaveSingleItem();
        record.ShouldBe(("zone-1", "_acme-challenge.a.b.example.test", request.Dns01TxtValue));
        // The zone is found by walking up the name, longest candidate first.
        api.ZoneQueries.ShouldBe(["_acme-challenge.a.b.example.test", "a.b.example.test", "b.example.test", "example.test"]);

        await solver.CleanupAsync(request, Ct);
        api.Records.ShouldBeEmpty();
        await solver.CleanupAsync(request, Ct); // a second cleanup is harmless
    }

    [Fact]
    public async Task Wrong_token_is_reported_with_cloudflares_error()
    {
        await using var api = await FakeCloudflareApi.StartAsync();
        using var http = new HttpClient();
        var provider = new CloudflareDnsProvider(http, new CloudflareOptions { ApiBase = api.ApiBase, ApiToken = "wrong-token" });
        var ex = await Should.ThrowAsync<ChallengeSolverException>(() => provider.CreateTxtRecordAsync("_acme-challenge.www.example.test", "v", 60, Ct));
        ex.Code.ShouldBe("HTTP403");
        ex.Message.ShouldBe("Cloudflare refused to look up the zone _acme-challenge.www.example.test (HTTP 403): 10000: Authentication error");
        ex.Message.ShouldNotContain("wrong-token");
    }

    [Fact]
    public async Task Name_in_no_zone_of_the_account_is_refused()
    {
        await using var api = await FakeCloudflareApi.StartAsync();
        using var http = new HttpClient();
        var provider = new CloudflareDnsProvider(http, new CloudflareOptions { ApiBase = api.ApiBase, ApiToken = FakeCloudflareApi.Token });
        var ex = await Should.ThrowAsync<ChallengeSolverException>(() => provider.CreateTxtRecordAsync("_acme-challenge.www.other.test", "v", 60, Ct));
        ex.Code.ShouldBe("ZoneNotFound");
        ex.Message.ShouldBe("No Cloudflare zone of this API token contains '_acme-challenge.www.other.test'.");
        api.Records.ShouldBeEmpty();
    }

    [Fact]
    public void Options_are_validated()
    {
        using var http = new HttpClient();
        Should.Throw<ArgumentException>(() => new CloudflareDnsProvider(http, new CloudflareOptions { ApiToken = " " }))
            .Message.ShouldBe("CloudflareOptions.ApiToken is required. (Parameter 'ApiToken')");
        Should.Throw<ArgumentException>(() => new CloudflareDnsProvider(http, new CloudflareOptions { ApiToken = "t", ApiBase = new Uri("https://api.example/v4") }))
            .Message.ShouldBe("CloudflareOptions.ApiBase must be an absolute URL ending with '/'. (Parameter 'ApiBase')");
    }
}
