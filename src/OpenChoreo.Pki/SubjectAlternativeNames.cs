using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>The names in a subjectAltName extension, including kinds the BCL does not enumerate (URIs, others).</summary>
internal sealed record SubjectAlternativeNames(
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<IPAddress> IpAddresses,
    IReadOnlyList<string> Uris,
    IReadOnlyList<string> Other)
{
    public static readonly SubjectAlternativeNames Empty = new([], [], [], []);

    private static readonly Asn1Tag DnsTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag IpTag = new(TagClass.ContextSpecific, 7);

    public static SubjectAlternativeNames From(X509Certificate2 cert) =>
        cert.Extensions[Oids.SubjectAltName] is { } ext ? Parse(ext.RawData) : Empty;

    public static SubjectAlternativeNames From(IEnumerable<X509Extension> extensions) =>
        extensions.FirstOrDefault(e => e.Oid?.Value == Oids.SubjectAltName) is { } ext ? Parse(ext.RawData) : Empty;

    /// <summary>Parses GeneralNames (RFC 5280 4.2.1.6); throws <see cref="AsnContentException"/> on malformed input.</summary>
    public static SubjectAlternativeNames Parse(byte[] der)
    {
        List<string> dns = [], uris = [], other = [];
        List<IPAddress> ips = [];
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var seq = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        while (seq.HasData)
        {
            var tag = seq.PeekTag();
            if (tag.HasSameClassAndValue(DnsTag))
                dns.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, DnsTag));
            else if (tag.HasSameClassAndValue(UriTag))
                uris.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
            else if (tag.HasSameClassAndValue(IpTag))
            {
                var bytes = seq.ReadOctetString(IpTag);
                if (bytes.Length is not (4 or 16)) throw new AsnContentException("an iPAddress SAN must have 4 or 16 bytes");
                ips.Add(new IPAddress(bytes));
            }
            else
            {
                other.Add($"[{tag.TagValue}]");
                seq.ReadEncodedValue();
            }
        }
        return new(dns, ips, uris, other);
    }
}
