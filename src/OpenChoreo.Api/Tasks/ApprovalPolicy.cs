using System.Text.Json.Nodes;
using OpenChoreo.Api.Auth;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Tasks;

/// <summary>
/// Who may approve a promotion: anyone but the user who requested it (four eyes). The one exception is the bootstrap
/// user <see cref="BootstrapAdmin"/> on a single-operator install: while it is the only user holding API tokens there is
/// nobody else to ask, so it may approve its own request. As soon as a second user exists, that exception ends.
/// Rejecting is always allowed, including by the requester (withdrawing a request is harmless).
/// </summary>
public sealed class ApprovalPolicy(IResourceStore store)
{
    /// <summary>The user the control plane issues its first token to (the server's AdminAccessBootstrapper.AdminUser).</summary>
    public const string BootstrapAdmin = "admin";

    /// <summary>Throws 403 when <paramref name="approver"/> may not approve <paramref name="promotion"/>.</summary>
    public async Task CheckApproverAsync(ResourceObject promotion, string approver, CancellationToken ct)
    {
        var requester = (string?)promotion.Spec?["requestedBy"] ?? "";
        if (!string.Equals(requester, approver, StringComparison.Ordinal)) return;
        if (requester == BootstrapAdmin)
        {
            var users = await TokenUsersAsync(ct);
            if (users.All(u => u == BootstrapAdmin)) return;
            throw ApiException.Forbidden(
                $"promotion \"{promotion.Name}\" was requested by {requester}; another user must approve it " +
                "(the bootstrap admin may approve its own requests only while it is the only user)");
        }
        throw ApiException.Forbidden($"promotion \"{promotion.Name}\" was requested by {requester}; another user must approve it");
    }

    private async Task<IReadOnlyList<string>> TokenUsersAsync(CancellationToken ct)
    {
        var tokens = await store.ListAsync(new ListOptions(ApiTokens.Kind), ct);
        return tokens.Items.Where(t => t.DeletionTimestamp is null)
            .Select(t => (string?)(t.Spec as JsonObject)?["user"] ?? "")
            .Where(u => u.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }
}
