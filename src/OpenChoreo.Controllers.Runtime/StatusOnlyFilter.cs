using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers.Runtime;

/// <summary>
/// Tells, for one watch, whether a Modified event changed nothing but the object's status. For each object it keeps
/// 64 bits of a SHA-256 over everything but status and resourceVersion (spec, labels, annotations, finalizers, owners,
/// deletion) as last seen, so a controller's own status write does not wake it (or a secondary mapping) again.
/// </summary>
internal sealed class StatusOnlyFilter
{
    private readonly Dictionary<ResourceKey, ulong> _seen = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public int Count => _seen.Count;

    /// <summary>Records the event's object and answers true when it differs from the last one seen only in status.</summary>
    public bool IsStatusOnly(WatchEventType type, ResourceObject o)
    {
        if (type is not (WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)) return false;
        var key = ResourceKey.Of(o);
        if (type == WatchEventType.Deleted)
        {
            _seen.Remove(key);
            return false;
        }
        var print = Fingerprint(o);
        var statusOnly = type == WatchEventType.Modified && _seen.TryGetValue(key, out var last) && last == print;
        _seen[key] = print;
        return statusOnly;
    }

    private ulong Fingerprint(ResourceObject o)
    {
        _buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(_buffer))
        {
            w.WriteStartObject();
            foreach (var (name, value) in o.Node)
            {
                if (name == "status") continue;
                w.WritePropertyName(name);
                if (name == "metadata" && value is System.Text.Json.Nodes.JsonObject metadata)
                {
                    w.WriteStartObject();
                    foreach (var (field, v) in metadata)
                    {
                        if (field == "resourceVersion") continue;
                        w.WritePropertyName(field);
                        if (v is null) w.WriteNullValue(); else v.WriteTo(w);
                    }
                    w.WriteEndObject();
                }
                else if (value is null) w.WriteNullValue();
                else value.WriteTo(w);
            }
            w.WriteEndObject();
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(_buffer.WrittenSpan, hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
