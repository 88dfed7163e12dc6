using Npgsql;
using PushApi.Core.Packages;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push;

/// <summary>Checks many orgs against a target at once, with the same facts and rules as adding jobs.</summary>
public static class OrgEligibility
{
    /// <summary>Why each org could not be pushed <paramref name="target"/> (null: it can), read set-based.</summary>
    public static async Task<Dictionary<string, (IneligibleReason Reason, string Message)?>> CheckAsync(NpgsqlConnection connection, TargetVersion target, IReadOnlyCollection<string> orgKeys, bool installs = false, CancellationToken cancellationToken = default)
    {
        var orgs = await EligibilityFacts.LoadOrgsAsync(connection, [.. orgKeys.Select(k => (k, target.PackageId))], lockInstallations: false, cancellationToken, busy: true);
        var checks = new Dictionary<string, (IneligibleReason, string)?>(orgKeys.Count, StringComparer.Ordinal);
        foreach (var key in orgKeys)
        {
            var org = orgs.GetValueOrDefault((key, target.PackageId));
            checks[key] = Eligibility.Check(PushStatus.Created, target, org, alreadyInRequest: false, installs) is { } reason
                ? (reason, Eligibility.ToSaveError(reason, key, target, org).Message)
                : null;
        }

        return checks;
    }
}
