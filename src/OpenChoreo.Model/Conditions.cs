using System.Text.Json.Nodes;

namespace OpenChoreo.Model;

/// <summary>A status condition as Kubernetes defines it.</summary>
public sealed record Condition(string Type, string Status, string Reason, string Message, long ObservedGeneration = 0)
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    public bool IsTrue => Status == True;
}

/// <summary>Reads and writes <c>status.conditions</c>, keeping lastTransitionTime unless the status flips.</summary>
public static class Conditions
{
    public static Condition? Get(ResourceObject o, string type) =>
        (o.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().Where(c => (string?)c["type"] == type)
            .Select(c => new Condition(type, (string?)c["status"] ?? Condition.Unknown, (string?)c["reason"] ?? "", (string?)c["message"] ?? "",
                c["observedGeneration"] is JsonValue g && g.TryGetValue<long>(out var gen) ? gen : 0))
            .FirstOrDefault();

    /// <summary>Sets a condition; returns true when anything changed.</summary>
    public static bool Set(ResourceObject o, Condition c, DateTimeOffset now)
    {
        var status = o.Node["status"] as JsonObject ?? (JsonObject)(o.Node["status"] = new JsonObject());
        var list = status["conditions"] as JsonArray ?? (JsonArray)(status["conditions"] = new JsonArray());
        var existing = list.OfType<JsonObject>().FirstOrDefault(x => (string?)x["type"] == c.Type);
        var transition = ResourceObject.FormatTime(now);
        if (existing is not null)
        {
            if ((string?)existing["status"] == c.Status && (string?)existing["reason"] == c.Reason &&
                (string?)existing["message"] == c.Message && (existing["observedGeneration"]?.GetValue<long>() ?? 0) == c.ObservedGeneration)
            {
                return false;
            }
            if ((string?)existing["status"] == c.Status) transition = (string?)existing["lastTransitionTime"] ?? transition;
        }
        var node = new JsonObject
        {
            ["type"] = c.Type,
            ["status"] = c.Status,
            ["observedGeneration"] = c.ObservedGeneration,
            ["lastTransitionTime"] = transition,
            ["reason"] = c.Reason,
            ["message"] = c.Message,
        };
        var index = existing is null ? -1 : list.IndexOf(existing);
        if (index >= 0) list[index] = node;
        else list.Add(node);
        return true;
    }
}
