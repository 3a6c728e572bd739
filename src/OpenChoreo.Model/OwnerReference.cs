using System.Text.Json.Nodes;

namespace OpenChoreo.Model;

/// <summary>metadata.ownerReferences[]: when every owner is gone, the garbage collector deletes the dependent.</summary>
public sealed record OwnerReference(
    string ApiVersion,
    string Kind,
    string Name,
    string Uid,
    bool Controller = false,
    bool BlockOwnerDeletion = false)
{
    public static OwnerReference FromJson(JsonObject o) => new(
        (string?)o["apiVersion"] ?? "",
        (string?)o["kind"] ?? "",
        (string?)o["name"] ?? "",
        (string?)o["uid"] ?? "",
        o["controller"] is JsonValue c && c.TryGetValue<bool>(out var cv) && cv,
        o["blockOwnerDeletion"] is JsonValue b && b.TryGetValue<bool>(out var bv) && bv);

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["name"] = Name,
            ["uid"] = Uid,
        };
        if (Controller) o["controller"] = true;
        if (BlockOwnerDeletion) o["blockOwnerDeletion"] = true;
        return o;
    }

    /// <summary>An owner reference that marks <paramref name="owner"/> as the controlling owner.</summary>
    public static OwnerReference ControlledBy(ResourceObject owner) =>
        new(owner.ApiVersion ?? "", owner.Kind ?? "", owner.Name, owner.Uid ?? "", Controller: true, BlockOwnerDeletion: true);
}
