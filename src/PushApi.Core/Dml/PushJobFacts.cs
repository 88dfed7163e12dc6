using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Persistence;
using PushApi.Core.Push;

namespace PushApi.Core.Dml;

/// <summary>
/// The facts of the orgs of a batch of new jobs (tenant, install, exclusions), read before the batch's transaction:
/// a bulk job reads those of its next chunk while the chunk before is written. No lock protects these facts at any
/// time (the engine checks them again when it runs a job), so reading them a moment earlier decides the same.
/// What a lock does protect is read in the transaction still: the request's status and target (locked), and the
/// other live push each org is in (under the package's lock). A pair these facts do not hold, such as one whose
/// request now targets another package, is read in the transaction as before. The new jobs' ids are taken here too.
/// </summary>
public sealed class PushJobFacts
{
    private readonly HashSet<(string, long)> _pairs;
    private readonly Dictionary<(string, long), OrgFacts> _orgs;
    private long[]? _ids;

    private PushJobFacts(HashSet<(string, long)> pairs, Dictionary<(string, long), OrgFacts> orgs, long[] ids)
    {
        _pairs = pairs;
        _orgs = orgs;
        _ids = ids;
    }

    /// <summary>
    /// The first <paramref name="count"/> of the job ids taken ahead (<see cref="PushJobIds"/>), each handed out once; null
    /// when fewer were taken or they were handed out before (the caller takes its own).
    /// </summary>
    public long[]? TakeIds(int count)
    {
        var ids = _ids;
        _ids = null;
        return ids is null || ids.Length < count ? null : ids[..count];
    }

    /// <summary>Reads the facts of the valid drafts' (org, package) pairs, each request's package read unlocked.</summary>
    public static async Task<PushJobFacts> ReadAsync(NpgsqlConnection connection, IEnumerable<RecordDraft> drafts, CancellationToken cancellationToken)
    {
        var jobs = drafts.Where(d => d.IsValid && d.Type == SObjectCatalog.PackagePushJob).Select(d => new PushJobDraft(d)).Where(d => d.RequestId is not null && d.SentOrgKey is not null).ToList();
        var packages = new Dictionary<long, long>();
        await using (var command = new NpgsqlCommand("SELECT r.id, v.package_id FROM push_requests r JOIN package_versions v ON v.id = r.package_version_id WHERE r.id = ANY($1)", connection))
        {
            command.Parameters.Add(SqlParameters.Array(jobs.Select(d => d.RequestId!.Value).Distinct(), NpgsqlDbType.Bigint));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                packages[reader.GetInt64(0)] = reader.GetInt64(1);
            }
        }

        var pairs = new HashSet<(string, long)>();
        foreach (var job in jobs.Where(j => packages.ContainsKey(j.RequestId!.Value)))
        {
            job.NormalizeOrgKey();
            pairs.Add((job.OrgKey!, packages[job.RequestId!.Value]));
        }

        var orgs = pairs.Count == 0 ? [] : await EligibilityFacts.LoadOrgsAsync(connection, [.. pairs], lockInstallations: false, cancellationToken);
        return new PushJobFacts(pairs, orgs, await PushJobIds.TakeAsync(connection, jobs.Count, cancellationToken));
    }

    /// <summary>
    /// The facts of <paramref name="pairs"/> for the checks, in the write's transaction under the packages' locks: those
    /// read ahead, with the live push each org is in read now; the pairs not read ahead read now in full.
    /// </summary>
    public async Task<Dictionary<(string, long), OrgFacts>> CompleteAsync(NpgsqlConnection connection, IReadOnlyList<(string OrgKey, long PackageId)> pairs, CancellationToken cancellationToken)
    {
        var known = new List<(string, long)>(pairs.Count);
        var missing = new List<(string, long)>();
        foreach (var pair in pairs)
        {
            (_pairs.Contains(pair) ? known : missing).Add(pair);
        }

        var orgs = missing.Count == 0 ? new Dictionary<(string, long), OrgFacts>(known.Count) : await EligibilityFacts.LoadOrgsAsync(connection, missing, lockInstallations: false, cancellationToken, busy: true);
        var busy = known.Count == 0 ? [] : await EligibilityFacts.BusyAsync(connection, known, cancellationToken);
        foreach (var pair in known)
        {
            if (_orgs.TryGetValue(pair, out var org))
            {
                // Read ahead without the live push: a copy only for the orgs that are in one.
                orgs[pair] = busy.TryGetValue(pair, out var request) ? org with { BusyIn = request } : org;
            }
        }

        return orgs;
    }
}
