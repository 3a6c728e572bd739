using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenChoreo.Testing;

namespace OpenChoreo.MultiCluster.Tests;

/// <summary>The namespace utilities the multi-cluster test stands on: isolation, the way in, and clean-up.</summary>
public sealed class NetworkNamespaceTests
{
    // Its own prefix: the multi-cluster test's leftover sweep (ocmc-) never touches these, nor these tests its.
    private const string Prefix = "ocmct-";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void SkipUnlessAvailable() =>
        Assert.SkipWhen(NetworkNamespace.Unavailable() is not null, "network-namespace test skipped: " + NetworkNamespace.Unavailable());

    [Fact]
    public async Task A_namespace_has_its_own_loopback_and_the_forwarder_reaches_into_it()
    {
        SkipUnlessAvailable();
        using var ns = NetworkNamespace.Create($"{Prefix}{Environment.ProcessId}-iso");
        using var listener = ns.CreateSocket();
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        // The same address and port from the test's own namespace is another host's loopback: whatever answers
        // there (usually nobody), it is not this listener.
        using (var outside = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await outside.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Ct);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
            }
        }
        listener.Poll(0, SelectMode.SelectRead).ShouldBeFalse("a connection to this namespace's loopback arrived from outside it");

        await using var forwarder = NamespaceForwarder.Start(ns, new IPEndPoint(IPAddress.Loopback, port));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(forwarder.EndPoint, Ct);
        using var server = await listener.AcceptAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await client.SendAsync("ping"u8.ToArray(), Ct);
        var buffer = new byte[4];
        var n = await server.ReceiveAsync(buffer, Ct);
        System.Text.Encoding.ASCII.GetString(buffer, 0, n).ShouldBe("ping");
        await server.SendAsync("pong"u8.ToArray(), Ct);
        n = await client.ReceiveAsync(buffer, Ct);
        System.Text.Encoding.ASCII.GetString(buffer, 0, n).ShouldBe("pong");
    }

    [Fact]
    public async Task Leftovers_of_a_crashed_run_are_removed_with_what_runs_in_them_and_those_of_a_live_run_are_kept()
    {
        SkipUnlessAvailable();
        var deadPid = await DeadPidAsync();
        var crashed = NetworkNamespace.Create($"{Prefix}{deadPid}-cp");
        crashed.SetHosts([("10.77.0.1", "api.openchoreo.multicluster.test")]);
        var orphan = Process.Start(crashed.Exec("sleep", ["600"]))!;
        using var live = NetworkNamespace.Create($"{Prefix}{Environment.ProcessId}-live");
        try
        {
            var removed = NetworkNamespace.RemoveLeftovers(Prefix);

            removed.ShouldContain(crashed.Name);
            removed.ShouldNotContain(live.Name);
            File.Exists($"/run/netns/{crashed.Name}").ShouldBeFalse();
            Directory.Exists($"/etc/netns/{crashed.Name}").ShouldBeFalse();
            orphan.WaitForExit(TimeSpan.FromSeconds(10)).ShouldBeTrue("the process left running in the crashed run's namespace is killed");
            File.Exists($"/run/netns/{live.Name}").ShouldBeTrue("a namespace of a run still going is left alone");
        }
        finally
        {
            if (!orphan.HasExited) orphan.Kill();
            orphan.Dispose();
            crashed.Dispose();
        }
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("../escape")]
    [InlineData("a-name-that-is-far-too-long-for-a-test-namespace")]
    public void A_bad_name_is_refused_and_nothing_is_made(string name)
    {
        SkipUnlessAvailable();
        var e = Should.Throw<ArgumentException>(() => NetworkNamespace.Create(name));

        e.Message.ShouldBe($"bad namespace name \"{name}\" (Parameter 'name')");
        File.Exists(Path.GetFullPath(Path.Combine("/run/netns", name))).ShouldBeFalse();
    }

    /// <summary>The id of a process that has exited (a stand-in for a crashed test run).</summary>
    private static async Task<int> DeadPidAsync()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await p.WaitForExitAsync(Ct);
        return p.Id;
    }
}
