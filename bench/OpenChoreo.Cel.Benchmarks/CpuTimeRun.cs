using System.Diagnostics;
using System.Globalization;

namespace OpenChoreo.Cel.Benchmarks;

/// <summary>
/// A quick measurement for a shared, overloaded machine: many short timed rounds (about 0.3 ms each) per expression,
/// reporting the fastest round (the one no other process interrupted) and the median, plus allocated bytes per op.
/// BenchmarkDotNet's wall-clock means are the reference on a quiet machine.
/// </summary>
internal static class CpuTimeRun
{
    public static void Run(int rounds)
    {
        Console.WriteLine($"{"expression",-18} {"parse min",10} {"parse med",10} {"eval min",10} {"eval med",10} {"eval B/op",10}   (ns/op)");
        // Calibration: a string-keyed dictionary hit, about 10 ns on an idle modern core.
        var dict = new Dictionary<string, object> { ["parameters"] = 1, ["metadata"] = 2, ["environment"] = 3 };
        var (cMin, cMed, _) = Measure(rounds, () => dict.TryGetValue("parameters", out var o) ? o : null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"(dictionary hit)",-18} {"",10} {"",10} {cMin,10:F1} {cMed,10:F1}"));
        foreach (var name in TemplateExpressions.Names)
        {
            var b = new TemplateExpressions { Expression = name };
            b.Setup();
            var (pMin, pMed, _) = Measure(rounds, () => b.Parse());
            var (eMin, eMed, bytes) = Measure(rounds, () => b.Evaluate());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} {pMin,10:F0} {pMed,10:F0} {eMin,10:F0} {eMed,10:F0} {bytes,10:F0}"));
        }
    }

    private static (double Min, double Median, double BytesPerOp) Measure<T>(int rounds, Func<T> op)
    {
        var sw = Stopwatch.StartNew();
        int warm = 0;
        while (sw.ElapsedMilliseconds < 300) { op(); warm++; } // warm-up (tiered JIT, caches)
        int perRound = Math.Max(1, (int)(warm / 300.0 * 0.3)); // about 0.3 ms per round
        var times = new double[rounds];
        long alloc0 = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < perRound; i++) op();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / perRound;
        }
        long alloc1 = GC.GetAllocatedBytesForCurrentThread();
        Array.Sort(times);
        return (times[0], times[rounds / 2], (alloc1 - alloc0) / (double)rounds / perRound);
    }
}
