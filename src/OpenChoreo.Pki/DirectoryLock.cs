namespace OpenChoreo.Pki;

/// <summary>An exclusive, cross-process lock on a directory (a held-open lock file), so two starts never create two CAs.</summary>
internal static class DirectoryLock
{
    public static IDisposable Acquire(string directory, TimeSpan timeout)
    {
        var path = Path.Combine(directory, ".lock");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (System.Diagnostics.Stopwatch.GetElapsedTime(started) < timeout)
            {
                // Held by another process: creating a CA takes milliseconds, so a short pause is enough.
                Thread.Sleep(25);
            }
        }
    }
}
