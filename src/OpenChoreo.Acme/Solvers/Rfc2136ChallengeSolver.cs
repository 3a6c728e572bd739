using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenChoreo.Acme;

/// <summary>
/// Answers DNS-01 by adding and removing <c>_acme-challenge.&lt;domain&gt;</c> TXT records with RFC 2136 dynamic updates
/// signed with TSIG (HMAC-SHA256), then waits until the authoritative server answers the record.
/// </summary>
public sealed class Rfc2136ChallengeSolver : IChallengeSolver
{
    private readonly Rfc2136Options _options;
    private readonly byte[]? _secret;
    private readonly DomainName _zone;
    private readonly DnsTxtProbe _probe;
    private readonly ILogger _logger;

    public Rfc2136ChallengeSolver(Rfc2136Options options, ILogger<Rfc2136ChallengeSolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _secret = options.Validate();
        _options = options;
        _zone = DomainName.Parse(options.Zone.TrimEnd('.'));
        _probe = new DnsTxtProbe(options.Server, options.QueryTimeout);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public string ChallengeType => AcmeChallengeTypes.Dns01;

    public async Task PresentAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = RecordName(request);
        await UpdateAsync("add", name, new AddRecordUpdate(new TxtRecord(name, _options.Ttl, request.Dns01TxtValue)), cancellationToken).ConfigureAwait(false);
        await _probe.WaitAsync(name.ToString().TrimEnd('.'), request.Dns01TxtValue, present: true, _options.PropagationTimeout,
            _options.PropagationPollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    public Task CleanupAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = RecordName(request);
        // Deletes only our value: another order may have its own TXT value at the same name.
        return UpdateAsync("delete", name, new DeleteRecordUpdate(new TxtRecord(name, 0, request.Dns01TxtValue)), cancellationToken);
    }

    private DomainName RecordName(ChallengeRequest request)
    {
        var name = DomainName.Parse(request.Dns01RecordName);
        if (!name.IsSubDomainOf(_zone))
            throw new ChallengeSolverException($"'{request.Domain}' is not inside the zone '{_options.Zone}' that this RFC 2136 solver updates.", "NotInZone");
        return name;
    }

    private async Task UpdateAsync(string operation, DomainName name, UpdateBase update, CancellationToken cancellationToken)
    {
        var message = new DnsUpdateMessage { ZoneName = _zone };
        message.Updates.Add(update);
        if (_secret is not null)
            message.TSigOptions = new TSigRecord(DomainName.Parse(_options.TsigKeyName!), TSigAlgorithm.Sha256,
                _options.TimeProvider.GetUtcNow().UtcDateTime, _options.TsigFudge, message.TransactionID, ReturnCode.NoError, null, _secret);

        var shown = name.ToString().TrimEnd('.');
        DnsUpdateMessage? response;
        using (var client = DnsTxtProbe.Client(_options.Server, _options.QueryTimeout))
        {
            try
            {
                response = await client.SendUpdateAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new ChallengeSolverException($"The DNS update ({operation} {shown} TXT) to {_options.Server} failed: {ex.Message}", "TransportError", ex);
            }
        }
        var code = response?.ReturnCode;
        AcmeLog.DnsUpdate(_logger, operation, shown, _options.Server.ToString(), code?.ToString() ?? "no answer");
        if (response is null)
            throw new ChallengeSolverException($"The DNS server {_options.Server} did not answer the update ({operation} {shown} TXT) within {_options.QueryTimeout.TotalSeconds:0.#} s.", "Timeout");
        if (code != ReturnCode.NoError)
            throw new ChallengeSolverException(Explain(operation, shown, response), code.ToString());
    }

    private string Explain(string operation, string name, DnsUpdateMessage response)
    {
        var what = $"The DNS server {_options.Server} refused the update ({operation} {name} TXT in zone {_options.Zone}) with {response.ReturnCode}";
        var tsigError = response.TSigOptions?.Error;
        return response.ReturnCode switch
        {
            ReturnCode.Refused when _secret is null => what + ": the update was not signed; configure the TSIG key the zone's allow-update names.",
            ReturnCode.Refused => what + $": the key '{_options.TsigKeyName}' is not allowed to update this zone (check allow-update / update-policy).",
            ReturnCode.NotAuthoritive => what + $": the TSIG signature was not accepted ({tsigError?.ToString() ?? "BADSIG/BADKEY"}): check the key name '{_options.TsigKeyName}', its secret and the clocks.",
            ReturnCode.NotZone => what + $": '{name}' is not in the zone.",
            _ => what + ".",
        };
    }
}
