using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PushApi.Core.Packages;
using PushApi.Core.Persistence;
using PushApi.Core.Tenants;

namespace PushApi.Core.Demo;

/// <summary>
/// Seeds an empty database with package "Demo App" (namespace <c>demo</c>), released versions 1.0,
/// 1.1 and 1.2, a beta 1.3, and subscriber orgs spread over the released versions: every 4th a
/// Sandbox, every 10th Trial, every 17th Inactive, every 23rd uninstalled.
/// </summary>
public sealed class DemoSeeder(PushApiDbContext db, PackageAdministration packages, TenantImporter importer)
{
    /// <summary>Seeds when the database has no package yet; returns whether it did.</summary>
    public async Task<bool> SeedAsync(int subscribers, CancellationToken cancellationToken = default)
    {
        if (subscribers <= 0 || await db.Packages.AnyAsync(cancellationToken))
        {
            return false;
        }

        var package = await packages.CreatePackageAsync("Demo App", "demo", "Package", cancellationToken);
        var released = new List<PackageVersion>();
        foreach (var minor in new[] { 0, 1, 2 })
        {
            released.Add(await packages.CreateVersionAsync(package.SalesforceId, $"Demo App 1.{minor}", new VersionNumber(1, minor, 0, 1), ReleaseStates.Released, cancellationToken));
        }

        await packages.CreateVersionAsync(package.SalesforceId, "Demo App 1.3 (Beta 1)", new VersionNumber(1, 3, 0, 1), ReleaseStates.Beta, cancellationToken);

        string[] instances = ["NA1", "NA2", "EU5", "AP3"];
        var uninstalled = new List<string>();
        for (var start = 0; start < subscribers; start += TenantImporter.MaxRows)
        {
            var rows = new List<TenantInput>();
            for (var n = start; n < Math.Min(subscribers, start + TenantImporter.MaxRows); n++)
            {
                var number = n + 1;
                rows.Add(new TenantInput
                {
                    OrgName = string.Create(CultureInfo.InvariantCulture, $"Demo Customer {number:D5}"),
                    OrgType = number % 4 == 0 ? OrgTypes.Sandbox : OrgTypes.Production,
                    OrgStatus = number % 17 == 0 ? OrgStatuses.Inactive : number % 10 == 0 ? "Trial" : OrgStatuses.Active,
                    InstanceName = instances[n % instances.Length],
                    PackageVersionId = released[n % released.Count].SalesforceId,
                });
            }

            var result = await importer.ImportAsync(rows, allOrNone: true, cancellationToken);
            uninstalled.AddRange(result.Rows.Where(r => r.Row % 23 == 0).Select(r => r.OrgKey!));
        }

        if (uninstalled.Count > 0)
        {
            var keys = uninstalled.ToArray();
            await db.Installations.Where(i => keys.Contains(i.OrgKey) && i.PackageId == package.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.InstalledStatus, InstalledStatuses.Uninstalled), cancellationToken);
        }

        return true;
    }
}
