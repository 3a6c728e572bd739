using OpenChoreo.Cli;

namespace OpenChoreo.Cli.Tests;

public class CelEvalTests
{
    private static async Task<(int Code, string Out, string Err)> Occ(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, new StringReader(""));
        return (code, stdout.ToString().Trim(), stderr.ToString().Trim());
    }

    [Fact]
    public async Task Prints_the_value_as_json()
    {
        var (code, output, _) = await Occ("cel", "eval", "parameters.replicas * 2", "--vars", "{\"parameters\": {\"replicas\": 3}}");
        code.ShouldBe(0);
        output.ShouldBe("6");
    }

    [Fact]
    public async Task Accepts_a_pasted_template_expression()
    {
        var (code, output, _) = await Occ("cel", "eval", "${metadata.name + '-svc'}", "--vars", "metadata: {name: greeter}");
        code.ShouldBe(0);
        output.ShouldBe("\"greeter-svc\"");
    }

    [Fact]
    public async Task Reads_variables_from_a_file()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "items: [1, 2, 3, 4]\n", TestContext.Current.CancellationToken);
        var (code, output, _) = await Occ("cel", "eval", "items.filter(i, i % 2 == 0)", "--vars", file);
        File.Delete(file);
        code.ShouldBe(0);
        output.Replace(" ", "").Replace("\n", "").ShouldBe("[2,4]");
    }

    [Fact]
    public async Task Parse_errors_carry_the_position()
    {
        var (code, _, err) = await Occ("cel", "eval", "1 +");
        code.ShouldBe(1);
        err.ShouldBe("error: 1:4: unexpected end of input, expected an expression");
    }

    [Fact]
    public async Task Evaluation_errors_carry_the_position()
    {
        var (code, _, err) = await Occ("cel", "eval", "a.b", "--vars", "{\"a\": {}}");
        code.ShouldBe(1);
        err.ShouldBe("error: 1:2: no such key: b");
    }

    [Fact]
    public async Task An_error_in_the_middle_of_a_field_chain_points_at_that_field()
    {
        var (code, output, err) = await Occ("cel", "eval", "parameters.resources.gpu.count", "--vars", "parameters: {resources: {cpu: 1}}");
        code.ShouldBe(1);
        output.ShouldBeEmpty();
        err.ShouldBe("error: 1:21: no such key: gpu");
    }

    [Fact]
    public async Task Maps_and_lists_print_as_json()
    {
        var (code, output, _) = await Occ("cel", "eval", "{'name': metadata.name, 'ports': [80, 443].map(p, p + 1)}", "--vars", "metadata: {name: web}");
        code.ShouldBe(0);
        output.Replace(" ", "").Replace("\n", "").Replace("\r", "").ShouldBe("{\"name\":\"web\",\"ports\":[81,444]}");
    }

    [Fact]
    public async Task Vars_must_be_an_object()
    {
        var (code, _, err) = await Occ("cel", "eval", "1", "--vars", "[1, 2]");
        code.ShouldBe(1);
        err.ShouldBe("error: --vars must be an object mapping variable names to values");
    }
}
