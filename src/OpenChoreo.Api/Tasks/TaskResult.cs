using System.Text.Json.Nodes;

namespace OpenChoreo.Api.Tasks;

/// <summary>What a task route did: "created", "updated", "unchanged", "pending" or "rejected", and a sentence saying so.</summary>
public sealed record TaskResult(string Action, string Component, string? Environment, string? ReleaseName, string? Binding,
    string Result, string Message, string? Promotion = null)
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Unchanged = "unchanged";
    public const string Pending = "pending";
    public const string Rejected = "rejected";

    /// <summary>201 when a binding or promotion was made, 202 when it waits for approval, else 200.</summary>
    public int HttpStatus => Result switch { Created => 201, Pending => 202, _ => 200 };

    public JsonObject ToJson() => new()
    {
        ["kind"] = "TaskResult",
        ["apiVersion"] = "v1",
        ["action"] = Action,
        ["component"] = Component,
        ["environment"] = Environment,
        ["releaseName"] = ReleaseName,
        ["binding"] = Binding,
        ["promotion"] = Promotion,
        ["result"] = Result,
        ["message"] = Message,
    };
}
