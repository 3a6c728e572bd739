using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(OpenChoreo.Rendering.Benchmarks.ComponentRenderBenchmarks).Assembly).Run(args);
