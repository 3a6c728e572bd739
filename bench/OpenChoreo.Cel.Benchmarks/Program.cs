using BenchmarkDotNet.Running;
using OpenChoreo.Cel.Benchmarks;

// "quick" runs many short timed rounds and reports the fastest (robust when the machine is shared and busy);
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "quick")
{
    CpuTimeRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 400);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(TemplateExpressions).Assembly).Run(args);
