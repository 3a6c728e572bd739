using OpenChoreo.Cli;

namespace OpenChoreo.Cli.Tests;

/// <summary>Commands that need no server: help, config handling and the errors shown without a configuration.</summary>
public class OfflineCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Occ(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Without_a_configuration_commands_say_how_to_get_one()
    {
        var config = Path.Combine(Path.GetTempPath(), "occ-none-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = await Occ("--config", config, "get", "components");
        code.ShouldBe(1);
        err.ShouldContain("no control plane is configured");
        err.ShouldContain("./openchoreo up");
    }

    [Fact]
    public async Task Set_context_writes_a_private_config_and_get_contexts_hides_tokens()
    {
        var config = Path.Combine(Path.GetTempPath(), "occ-cfg-" + Guid.NewGuid().ToString("N"));
        (await Occ("--config", config, "config", "set-context", "prod", "--server", "https://api.example.test", "--token", "secret-token", "-n", "acme")).Code.ShouldBe(0);
        File.GetUnixFileMode(config).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (code, output, _) = await Occ("--config", config, "config", "get-contexts");
        code.ShouldBe(0);
        output.ShouldContain("*");
        output.ShouldContain("https://api.example.test");
        output.ShouldContain("acme");
        output.ShouldNotContain("secret-token");
        (await Occ("--config", config, "config", "view")).Out.ShouldNotContain("secret-token");
        File.Delete(config);
    }

    [Fact]
    public async Task Set_context_refuses_a_non_http_server()
    {
        var config = Path.Combine(Path.GetTempPath(), "occ-cfg-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = await Occ("--config", config, "config", "set-context", "x", "--server", "ftp://nope");
        code.ShouldBe(1);
        err.Trim().ShouldBe("error: --server \"ftp://nope\" is not an http(s) URL");
        File.Exists(config).ShouldBeFalse();
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var (code, output, _) = await Occ("--help");
        code.ShouldBe(0);
        foreach (var c in new[] { "apply", "get", "describe", "delete", "config", "version", "cel" }) output.ShouldContain(c);
    }

    [Fact]
    public async Task Client_version_needs_no_server()
    {
        var (code, output, _) = await Occ("version", "--client");
        code.ShouldBe(0);
        output.ShouldStartWith("Client Version: ");
    }
}
