using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace OpenChoreo.Cel.Runtime;

/// <summary>
/// Property lookup on a <see cref="JsonObject"/> for a field name fixed at compile time. Objects of the same shape
/// (every item of a list, the same variables on each evaluation) keep a property at the same index, so the index
/// where it was last found is tried first: one ordinal string compare instead of hashing the name.
/// </summary>
internal static class JsonField
{
    /// <param name="hint">
    /// The caller's per-field slot. It is only a guess, checked against the key on every use, so concurrent
    /// evaluations overwriting each other's hints cost a hash lookup, never a wrong answer. An ordinal match is a
    /// match under any comparer the object uses; a miss falls back to the object's own lookup.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryGet(JsonObject o, string name, ref int hint, out JsonNode? node)
    {
        int h = hint;
        if ((uint)h < (uint)o.Count)
        {
            var kv = o.GetAt(h);
            if (string.Equals(kv.Key, name))
            {
                node = kv.Value;
                return true;
            }
        }
        return Slow(o, name, ref hint, out node);
    }

    private static bool Slow(JsonObject o, string name, ref int hint, out JsonNode? node)
    {
        int i = o.IndexOf(name);
        if (i < 0)
        {
            node = null;
            return false;
        }
        hint = i;
        node = o.GetAt(i).Value;
        return true;
    }
}
