using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Certificates.Tests;

/// <summary>Polls handshakes until the served certificate's serial satisfies a condition (swaps are asynchronous).</summary>
internal static class ServedSerial
{
    public static async Task<string> WaitAsync(Func<Task<X509Certificate2>> handshake, Func<string, bool> ok, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var serial = "";
        while (DateTime.UtcNow < deadline)
        {
            using var served = await handshake();
            serial = served.SerialNumber.ToLowerInvariant();
            if (ok(serial)) return serial;
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"timed out waiting until {what}; last served serial {serial}");
    }
}
