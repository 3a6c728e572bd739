using System.Security.Cryptography;
using OpenChoreo.Acme.Tests.Fixtures;

namespace OpenChoreo.Acme.Tests;

[Collection(AcmeWorldCollection.Name)]
public sealed class Rfc2136Tests(AcmeWorld world)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ChallengeRequest Request(string domain) =>
        new(domain, "tok" + Guid.NewGuid().ToString("N")[..8], "tok.thumbprint-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Signed_update_adds_then_removes_the_txt_record()
    {
        var solver = new Rfc2136ChallengeSolver(world.Bind.Rfc2136Options());
        var probe = new DnsTxtProbe(world.Bind.EndPoint, TimeSpan.FromSeconds(1));
        var request = Request("svc.example.test");

        await solver.PresentAsync(request, Ct);
        (await probe.HasValueAsync("_acme-challenge.svc.example.test", request.Dns01TxtValue, Ct)).ShouldBeTrue();
        await solver.CleanupAsync(request, Ct);
        (await probe.HasValueAsync("_acme-challenge.svc.example.test", request.Dns01TxtValue, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Unsigned_update_is_refused_by_bind_and_reported_clearly()
    {
        var solver = new Rfc2136ChallengeSolver(world.Bind.Rfc2136Options() with { TsigKeyName = null, TsigSecret = null });
        var ex = await Should.ThrowAsync<ChallengeSolverException>(() => solver.PresentAsync(Request("unsigned.example.test"), Ct));
        ex.Code.ShouldBe("Refused");
        ex.Message.ShouldBe($"The DNS server {world.Bind.EndPoint} refused the update (add _acme-challenge.unsigned.example.test TXT in zone example.test) with Refused: the update was not signed; configure the TSIG key the zone's allow-update names.");
    }

    [Fact]
    public async Task Update_signed_with_a_wrong_secret_is_refused()
    {
        var wrong = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var solver = new Rfc2136ChallengeSolver(world.Bind.Rfc2136Options() with { TsigSecret = wrong });
        var ex = await Should.ThrowAsync<ChallengeSolverException>(() => solver.PresentAsync(Request("wrongkey.example.test"), Ct));
        ex.Code.ShouldBe("NotAuthoritive");
        ex.Message.ShouldContain("the TSIG signature was not accepted");
        ex.Message.ShouldNotContain(wrong);
    }

    [Fact]
    public async Task Update_signed_with_an_unknown_key_name_is_refused()
    {
        var solver = new Rfc2136ChallengeSolver(world.Bind.Rfc2136Options() with { TsigKeyName = "other-key" });
        var ex = await Should.ThrowAsync<ChallengeSolverException>(() => solver.PresentAsync(Request("otherkey.example.test"), Ct));
        ex.Code.ShouldBe("NotAuthoritive");
        ex.Message.ShouldContain("check the key name 'other-key'");
    }

    [Fact]
    public async Task Name_outside_the_zone_is_refused_without_an_update()
    {
        var solver = new Rfc2136ChallengeSolver(world.Bind.Rfc2136Options());
        var ex = await Should.ThrowAsync<ChallengeSolverException>(() => solver.PresentAsync(Request("www.other.test"), Ct));
        ex.Message.ShouldBe("'www.other.test' is not inside the zone 'example.test' that this RFC 2136 solver updates.");
    }

    [Theory]
    [InlineData(null, "c2VjcmV0c2VjcmV0c2VjcmV0", "Rfc2136Options.TsigKeyName and TsigSecret must be set together. (Parameter 'TsigKeyName')")]
    [InlineData("k", "not base64!", "Rfc2136Options.TsigSecret is not valid base64. (Parameter 'TsigSecret')")]
    [InlineData("k", "c2hvcnQ=", "Rfc2136Options.TsigSecret must be at least 16 bytes (use tsig-keygen -a hmac-sha256). (Parameter 'TsigSecret')")]
    public void Options_are_validated(string? keyName, string secret, string message) =>
        Should.Throw<ArgumentException>(() => new Rfc2136ChallengeSolver(world.Bind.Rfc2136Options() with { TsigKeyName = keyName, TsigSecret = secret }))
            .Message.ShouldBe(message);
}
