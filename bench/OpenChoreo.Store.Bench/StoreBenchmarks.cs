using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Bench;

internal sealed record Result(string Backend, string Measure, string Value, string Target, bool? Met);

/// <summary>The measurements, each bounded in count and time.</summary>
internal static class StoreBenchmarks
{
    private const int Writes = 3_000;
    private const int ListSize = 10_000;
    private const int Watchers = 100;
    private const int WatchedWrites = 200;

    public static async Task<IReadOnlyList<Result>> RunAsync(string backend, IResourceStore store)
    {
        var results = new List<Result>();
        Console.Error.WriteLine($"[{backend}] warming up");
        for (var i = 0; i < 1000; i++) await store.CreateAsync(Make("warm", "w" + i, i), default);

        if (backend == "sqlite")
        {
            // The store's own share of a create: the rules and serialization, without storage.
            var c0 = Cpu();
            for (var i = 0; i < Writes; i++) ObjectRules.PlanCreate(Make("plan", "p" + i, i), null, i + 1, DateTimeOffset.UnixEpoch);
            results.Add(CpuPerOp(backend, "create rules+JSON only: CPU per op", Cpu() - c0, Writes));
        }
        Console.Error.WriteLine($"[{backend}] creates");
        var cpu = Cpu();
        var sw = Stopwatch.StartNew();
        var created = new List<ResourceObject>(Writes);
        for (var i = 0; i < Writes; i++) created.Add(await store.CreateAsync(Make("writes", "o" + i, i), default));
        var createRate = Writes / sw.Elapsed.TotalSeconds;
        results.Add(Rate(backend, "create (1 object/op)", createRate, backend == "sqlite" ? 2_000 : null));
        results.Add(CpuPerOp(backend, "create: process CPU per op", Cpu() - cpu, Writes));

        Console.Error.WriteLine($"[{backend}] updates");
        cpu = Cpu();
        sw.Restart();
        for (var i = 0; i < Writes; i++)
        {
            var o = created[i];
            o.Spec!["replicas"] = i + 1;
            created[i] = await store.UpdateAsync(o, ct: default);
        }
        results.Add(Rate(backend, "update (1 object/op)", Writes / sw.Elapsed.TotalSeconds, backend == "sqlite" ? 2_000 : null));
        results.Add(CpuPerOp(backend, "update: process CPU per op", Cpu() - cpu, Writes));

        Console.Error.WriteLine($"[{backend}] paced gets");
        var latencies = await PacedGetsAsync(store, created, perSecond: 500, seconds: 5);
        results.Add(Ms(backend, "get p50 @500/s", Percentile(latencies, 0.50), null));
        results.Add(Ms(backend, "get p99 @500/s", Percentile(latencies, 0.99), 5));

        Console.Error.WriteLine($"[{backend}] filling {ListSize} objects to list");
        await Parallel.ForEachAsync(Enumerable.Range(0, ListSize), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, ct) => await store.CreateAsync(Make("list", "l" + i, i), ct));
        var listTimes = new List<double>();
        cpu = Cpu();
        for (var i = 0; i < 5; i++)
        {
            sw.Restart();
            var list = await store.ListAsync(new ListOptions("Component", "list"), default);
            listTimes.Add(sw.Elapsed.TotalMilliseconds);
            if (list.Items.Count != ListSize) throw new InvalidOperationException($"listed {list.Items.Count}, expected {ListSize}");
        }
        listTimes.Sort();
        results.Add(Ms(backend, $"list {ListSize} objects (median of 5)", listTimes[2], 300));
        results.Add(CpuPerOp(backend, $"list {ListSize}: process CPU per list", Cpu() - cpu, 5));

        Console.Error.WriteLine($"[{backend}] watch fan-out to {Watchers} watchers");
        var delivery = await WatchFanOutAsync(store);
        results.Add(Ms(backend, $"watch delivery p50 ({Watchers} watchers)", Percentile(delivery, 0.50), null));
        results.Add(Ms(backend, $"watch delivery p99 ({Watchers} watchers)", Percentile(delivery, 0.99), 50));
        return results;
    }

    private static async Task<List<double>> PacedGetsAsync(IResourceStore store, List<ResourceObject> objects, int perSecond, int seconds)
    {
        var total = perSecond * seconds;
        var latencies = new ConcurrentBag<double>();
        var interval = Stopwatch.Frequency / perSecond;
        var start = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = start + i * interval;
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(2)) await Task.Delay(wait - TimeSpan.FromMilliseconds(1));
                else Thread.SpinWait(50);
            }
            var key = ResourceKey.Of(objects[i % objects.Count]);
            inFlight.Add(Task.Run(async () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                var o = await store.GetAsync(key, default) ?? throw new InvalidOperationException($"{key} missing");
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }));
        }
        await Task.WhenAll(inFlight);
        return [.. latencies];
    }

    private static async Task<List<double>> WatchFanOutAsync(IResourceStore store)
    {
        var target = await store.CreateAsync(Make("watch", "target", 0), default);
        var from = await store.GetRevisionAsync(default);
        var latencies = new ConcurrentBag<double>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = new CountdownEvent(Watchers);
        var watchers = Enumerable.Range(0, Watchers).Select(_ => Task.Run(async () =>
        {
            var seen = 0;
            await using var e = store.WatchAsync(new ListOptions("Component", "watch"), from, cts.Token).GetAsyncEnumerator(cts.Token);
            var first = e.MoveNextAsync();
            ready.Signal();
            var hasNext = await first;
            while (hasNext)
            {
                var sentAt = e.Current.Object.Spec!["sentAt"]!.GetValue<long>();
                if (sentAt > 0) latencies.Add(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
                if (++seen == WatchedWrites + 1) return;
                hasNext = await e.MoveNextAsync();
            }
        }, cts.Token)).ToArray();
        ready.Wait(cts.Token);
        // A marker write every watcher sees first: from here on all are subscribed.
        target.Spec!["sentAt"] = 0;
        target = await store.UpdateAsync(target, ct: cts.Token);
        for (var i = 0; i < WatchedWrites; i++)
        {
            target.Spec!["sentAt"] = Stopwatch.GetTimestamp();
            target.Spec!["replicas"] = i;
            target = await store.UpdateAsync(target, ct: cts.Token);
            await Task.Delay(10, cts.Token);
        }
        await Task.WhenAll(watchers);
        return [.. latencies];
    }

    /// <summary>CPU time of this process: tells the store's cost apart from waiting on a busy machine.</summary>
    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static Result CpuPerOp(string backend, string measure, TimeSpan cpu, int ops) =>
        new(backend, measure, $"{cpu.TotalMilliseconds * 1000 / ops:F0} us", "", null);

    private static ResourceObject Make(string ns, string name, int i)
    {
        var o = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = "openchoreo.dev/v1alpha1",
            ["kind"] = "Component",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { ["openchoreo.dev/project"] = "bench", ["index"] = (i % 10).ToString(CultureInfo.InvariantCulture) },
            },
            ["spec"] = new JsonObject
            {
                ["owner"] = new JsonObject { ["projectName"] = "bench" },
                ["componentType"] = "deployment/service",
                ["replicas"] = 1,
                ["parameters"] = new JsonObject { ["port"] = 8080, ["image"] = "registry.example/app:1.0.0", ["env"] = new JsonArray("A=1", "B=2") },
            },
        });
        return o;
    }

    private static double Percentile(List<double> values, double p)
    {
        values.Sort();
        return values.Count == 0 ? double.NaN : values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
    }

    private static Result Rate(string backend, string measure, double value, double? min) =>
        new(backend, measure, $"{value:F0}/s", min is null ? "" : $">= {min:F0}/s", min is null ? null : value >= min);

    private static Result Ms(string backend, string measure, double value, double? max) =>
        new(backend, measure, $"{value:F2} ms", max is null ? "" : $"<= {max:F0} ms", max is null ? null : value <= max);
}
