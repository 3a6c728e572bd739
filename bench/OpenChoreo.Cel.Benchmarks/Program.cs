using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(OpenChoreo.Cel.Benchmarks.TemplateExpressions).Assembly).Run(args);
