using Microsoft.Extensions.Logging;

namespace OpenChoreo.Acme;

/// <summary>Source-generated log messages. Never logs keys, key authorizations, tokens' answers or API credentials.</summary>
internal static partial class AcmeLog
{
    [LoggerMessage(1, LogLevel.Debug, "ACME {Method} {Url} -> {Status}")]
    public static partial void Response(ILogger logger, string method, Uri url, int status);

    [LoggerMessage(2, LogLevel.Debug, "ACME server rejected the nonce; retrying ({Attempt}/{Max})")]
    public static partial void BadNonceRetry(ILogger logger, int attempt, int max);

    [LoggerMessage(3, LogLevel.Warning, "ACME request to {Url} failed in transport; retrying ({Attempt}/{Max})")]
    public static partial void TransportRetry(ILogger logger, Uri url, int attempt, int max, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "ACME account {Account} ready")]
    public static partial void AccountReady(ILogger logger, Uri account);

    [LoggerMessage(5, LogLevel.Information, "ACME order {Order} created for {Count} name(s)")]
    public static partial void OrderCreated(ILogger logger, Uri order, int count);

    [LoggerMessage(6, LogLevel.Information, "Authorization for {Identifier} already valid; reusing it")]
    public static partial void AuthorizationReused(ILogger logger, string identifier);

    [LoggerMessage(7, LogLevel.Information, "Presenting {ChallengeType} challenge for {Identifier}")]
    public static partial void ChallengePresented(ILogger logger, string challengeType, string identifier);

    [LoggerMessage(8, LogLevel.Information, "Certificate issued for {Names}, valid until {NotAfter}")]
    public static partial void CertificateIssued(ILogger logger, string names, DateTimeOffset notAfter);

    [LoggerMessage(9, LogLevel.Warning, "Cleaning up the {ChallengeType} challenge for {Identifier} failed")]
    public static partial void CleanupFailed(ILogger logger, string challengeType, string identifier, Exception exception);

    [LoggerMessage(10, LogLevel.Debug, "DNS update {Operation} {Name} TXT at {Server} -> {ReturnCode}")]
    public static partial void DnsUpdate(ILogger logger, string operation, string name, string server, string returnCode);

    [LoggerMessage(11, LogLevel.Debug, "DNS provider {Provider}: {Operation} TXT {Name}")]
    public static partial void ProviderCall(ILogger logger, string provider, string operation, string name);
}
