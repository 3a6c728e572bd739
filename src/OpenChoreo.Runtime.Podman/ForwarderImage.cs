using System.Formats.Tar;

namespace OpenChoreo.Runtime.Podman;

/// <summary>Builds the Service port-forwarder image (<c>/bin/busybox</c> only) from the host's static busybox when it is missing.</summary>
public static class ForwarderImage
{
    public static async Task EnsureAsync(PodmanClient client, PodmanRuntimeOptions options, CancellationToken ct)
    {
        if (await client.ImageExistsAsync(options.ForwarderImage, ct).ConfigureAwait(false)) return;
        if (!File.Exists(options.BusyboxPath))
            throw new InvalidOperationException($"Image {options.ForwarderImage} is missing and {options.BusyboxPath} does not exist to build it.");
        var (repo, tag) = Split(options.ForwarderImage);
        await ImportBusyboxAsync(client, options.BusyboxPath, repo, tag, ct).ConfigureAwait(false);
    }

    /// <summary>Imports a one-file image: <paramref name="busyboxPath"/> as /bin/busybox (plus /bin/sh), with /tmp.</summary>
    public static async Task ImportBusyboxAsync(PodmanClient client, string busyboxPath, string repository, string tag, CancellationToken ct)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0b111_101_101 }, ct).ConfigureAwait(false);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)0b111_111_111 }, ct).ConfigureAwait(false);
            await using (var data = File.OpenRead(busyboxPath))
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)0b111_101_101, DataStream = data }, ct).ConfigureAwait(false);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/sh") { LinkName = "busybox" }, ct).ConfigureAwait(false);
        }
        tar.Position = 0;
        await client.ImportImageAsync(tar, repository, tag, ct).ConfigureAwait(false);
        // podman's compat import ignores the tag argument: tag explicitly.
        await client.TagImageAsync($"{repository}:latest", repository, tag, ct).ConfigureAwait(false);
    }

    internal static (string Repository, string Tag) Split(string image)
    {
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}
