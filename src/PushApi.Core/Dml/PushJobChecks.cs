using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;

namespace PushApi.Core.Dml;

/// <summary>
/// The eligibility of each (request, org) pair a write adds or moves a job to, with the facts of the
/// whole batch read in set-based queries.
/// </summary>
public static class PushJobChecks
{
    /// <summary>
    /// Checks every valid draft against its (locked) request. Jobs already in a request are looked up
    /// only when <paramref name="checkExisting"/> (all-or-none calls must know every error before
    /// writing); otherwise the insert's ON CONFLICT finds them and they are reported as duplicates just the same.
    /// The orgs' facts are read here, or completed here when read ahead (<paramref name="facts"/>).
    /// </summary>
    public static async Task CheckAsync(NpgsqlConnection connection, IReadOnlyList<PushJobDraft> drafts, Dictionary<long, LockedRequest> requests, bool checkExisting, CancellationToken cancellationToken, PushJobFacts? facts = null)
    {
        foreach (var draft in drafts)
        {
            if (!requests.ContainsKey(draft.RequestId!.Value))
            {
                draft.Record.Errors.Add(ClientChangeRules.MissingRequest(SalesforceId.Format(KeyPrefixes.PackagePushRequest, draft.RequestId.Value)));
                continue;
            }

            draft.NormalizeOrgKey();
        }

        var checkable = drafts.Where(d => d.Record.IsValid).ToList();
        var pairs = checkable.Select(d => (Key: d.OrgKey!, Package: requests[d.RequestId!.Value].Target.PackageId)).Distinct().ToList();
        // One job adder per package at a time (until commit): two writes can't both add an org the other is scheduling.
        await EligibilityFacts.LockPackagesAsync(connection, pairs.Select(p => p.Package), cancellationToken);
        var orgs = facts is null
            ? await EligibilityFacts.LoadOrgsAsync(connection, pairs, lockInstallations: false, cancellationToken, busy: true)
            : await facts.CompleteAsync(connection, pairs, cancellationToken);
        var existing = checkExisting
            ? await LoadExistingAsync(connection, checkable.Select(d => (d.RequestId!.Value, d.OrgKey!)), cancellationToken)
            : [];

        var inBatch = new HashSet<(long, string)>();
        foreach (var draft in checkable)
        {
            var request = requests[draft.RequestId!.Value];
            var pair = (draft.RequestId.Value, draft.OrgKey!);
            var duplicate = existing.Contains(pair) || !inBatch.Add(pair);
            var org = orgs.GetValueOrDefault((draft.OrgKey!, request.Target.PackageId));
            draft.Remote = org?.Remote ?? false;
            if (Eligibility.Check(request.Status, request.Target, org, duplicate, request.Installs) is { } reason)
            {
                draft.Record.Errors.Add(Eligibility.ToSaveError(reason, draft.OrgKey!, request.Target, org));
            }
        }
    }

    private static async Task<HashSet<(long, string)>> LoadExistingAsync(NpgsqlConnection connection, IEnumerable<(long Request, string Key)> pairs, CancellationToken cancellationToken)
    {
        var list = pairs.Distinct().ToList();
        var existing = new HashSet<(long, string)>();
        await using var command = new NpgsqlCommand(
            "SELECT j.request_id, j.org_key FROM push_jobs j JOIN unnest($1::bigint[], $2::text[]) AS k(request_id, org_key) ON j.request_id = k.request_id AND j.org_key = k.org_key",
            connection);
        command.Parameters.Add(SqlParameters.Array(list.Select(p => p.Request), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(list.Select(p => p.Key), NpgsqlDbType.Text));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return existing;
    }
}
