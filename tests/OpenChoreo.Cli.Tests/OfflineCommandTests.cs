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

    /// <summary>Each verb of issue 2 explains itself: a description, its arguments and every option it takes.</summary>
    [Theory]
    [InlineData("apply", "Create or update resources from manifests", "-f, --filename", "-R, --recursive", "-n, --namespace", "'-' (stdin)")]
    [InlineData("get", "Display one or many resources", "<kind>", "<name>", "-n, --namespace", "-A, --all-namespaces", "-l, --selector", "-o, --output", "-w, --watch", "singular, plural or short name", "yaml, json, wide or name")]
    [InlineData("describe", "Show the details of one resource", "<kind>", "<name>", "-n, --namespace")]
    [InlineData("delete", "Delete resources by name or from manifests", "<kind>", "<names>", "-f, --filename", "--wait", "--ignore-not-found", "-n, --namespace")]
    [InlineData("config", "Manage control-plane contexts", "get-contexts", "current-context", "use-context", "set-context", "view")]
    [InlineData("version", "Print the client and server versions", "--client")]
    public async Task Help_of_each_verb_describes_it_and_its_options(string verb, params string[] expected)
    {
        var (code, output, err) = await Occ(verb, "--help");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        foreach (var e in expected) output.ShouldContain(e, customMessage: $"occ {verb} --help");
        output.ShouldContain("--config", customMessage: "the global options are listed too");
    }

    [Fact]
    public async Task Client_version_needs_no_server()
    {
        var (code, output, _) = await Occ("version", "--client");
        code.ShouldBe(0);
        output.ShouldStartWith("Client Version: ");
    }
}
