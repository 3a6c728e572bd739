using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Gateway;

/// <summary>
/// The checksum that identifies a Release's resource set on the wire: SHA-256 (hex) of <c>spec.resources</c> in
/// canonical JSON (<see cref="CanonicalJson"/>), so equal content always compares equal.
/// </summary>
public static class ReleaseChecksum
{
    public static string Of(ResourceObject release) => Of(release.Spec?["resources"]);

    public static string Of(JsonNode? resources) => Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.ToUtf8(resources ?? new JsonArray())));
}
