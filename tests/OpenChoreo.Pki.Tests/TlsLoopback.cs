using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Pki;

namespace OpenChoreo.Pki.Tests;

/// <summary>One real TLS handshake over loopback between an SslStream server and client, recording what each side saw.</summary>
internal static class TlsLoopback
{
    internal sealed record Outcome(
        Exception? ServerError,
        Exception? ClientError,
        X509Certificate2? ClientCertificateSeenByServer,
        X509Certificate2? ServerCertificateSeenByClient,
        IReadOnlyList<ChainVerificationResult> ServerRefusals,
        IReadOnlyList<ChainVerificationResult> ClientRefusals)
    {
        public bool Exchanged => ServerError is null && ClientError is null;
    }

    public static Task<Outcome> RunAsync(
        X509Certificate2 serverCertificate, Func<TrustBundle> serverTrust,
        X509Certificate2? clientCertificate, Func<TrustBundle> clientTrust,
        string targetHost = "localhost", bool requirePlaneIdentity = false, TimeProvider? serverTime = null) =>
        RunAsync(() => serverCertificate, serverTrust, clientCertificate, clientTrust, targetHost, requirePlaneIdentity, serverTime);

    public static async Task<Outcome> RunAsync(
        Func<X509Certificate2> serverCertificate, Func<TrustBundle> serverTrust,
        X509Certificate2? clientCertificate, Func<TrustBundle> clientTrust,
        string targetHost = "localhost", bool requirePlaneIdentity = false, TimeProvider? serverTime = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var serverRefusals = new List<ChainVerificationResult>();
        var clientRefusals = new List<ChainVerificationResult>();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var serverOptions = TlsPolicies.MutualTlsServerOptions(serverCertificate, serverTrust, new TlsValidationOptions
            {
                OnRefused = r => { lock (serverRefusals) serverRefusals.Add(r); },
                RequirePlaneIdentity = requirePlaneIdentity,
                TimeProvider = serverTime ?? TimeProvider.System,
            });
            var clientOptions = TlsPolicies.MutualTlsClientOptions(targetHost, clientCertificate, clientTrust, new TlsValidationOptions
            {
                OnRefused = r => { lock (clientRefusals) clientRefusals.Add(r); },
            });

            X509Certificate2? seen = null, serverSeen = null;
            var server = Task.Run(async () =>
            {
                using var tcp = await listener.AcceptTcpClientAsync(timeout.Token);
                await using var ssl = new SslStream(tcp.GetStream());
                try
                {
                    await ssl.AuthenticateAsServerAsync(serverOptions, timeout.Token);
                    seen = ssl.RemoteCertificate is null ? null : X509CertificateLoader.LoadCertificate(ssl.RemoteCertificate.GetRawCertData());
                    var one = new byte[1];
                    await ssl.ReadExactlyAsync(one, timeout.Token);
                    await ssl.WriteAsync("k"u8.ToArray(), timeout.Token);
                    await ssl.FlushAsync(timeout.Token);
                    return (Exception?)null;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return ex;
                }
            });
            var client = Task.Run(async () =>
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                await using var ssl = new SslStream(tcp.GetStream());
                try
                {
                    await ssl.AuthenticateAsClientAsync(clientOptions, timeout.Token);
                    serverSeen = X509CertificateLoader.LoadCertificate(ssl.RemoteCertificate!.GetRawCertData());
                    // With TLS 1.3 the server judges the client certificate after the client finished: the refusal
                    // arrives as an alert on the first read.
                    await ssl.WriteAsync("o"u8.ToArray(), timeout.Token);
                    await ssl.FlushAsync(timeout.Token);
                    var one = new byte[1];
                    var n = await ssl.ReadAsync(one, timeout.Token);
                    return n == 1 && one[0] == (byte)'k' ? null : new IOException("the server closed the connection without answering");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return ex;
                }
            });
            var clientError = await client;
            var serverError = await server;
            return new Outcome(serverError, clientError, seen, serverSeen, serverRefusals, clientRefusals);
        }
        finally
        {
            listener.Stop();
        }
    }
}
