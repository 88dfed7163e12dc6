using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PushApi.Core.Packages;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Persistence;
using PushApi.Core.Tenants;

namespace PushApi.Core.Demo;

/// <summary>
/// Seeds an empty database with package "Demo App" (namespace <c>demo</c>, with the items of
/// <see cref="DemoContents"/>), released versions 1.0, 1.1 and 1.2, a beta 1.3, each changing a few items,
/// and subscriber orgs spread over the released versions: every 4th a
/// Sandbox, every 10th Trial, every 17th Inactive, every 23rd uninstalled.
/// </summary>
public sealed class DemoSeeder(PushApiDbContext db, PackageAdministration packages, PackageItems items, TenantImporter importer)
{
    /// <summary>Seeds when the database has no package yet; returns whether it did.</summary>
    public async Task<bool> SeedAsync(int subscribers, CancellationToken cancellationToken = default)
    {
        if (subscribers <= 0 || await db.Packages.AnyAsync(cancellationToken))
        {
            return false;
        }

        var package = await packages.CreatePackageAsync("Demo App", "demo", "Package", locked: false, DemoContents.First, cancellationToken);
        var released = new List<PackageVersion>();
        foreach (var minor in new[] { 0, 1, 2 })
        {
            if (minor > 0)
            {
                await ChangeAsync(package.SalesforceId, DemoContents.Changes[minor - 1], cancellationToken);
            }

            released.Add(await packages.CreateVersionAsync(package.SalesforceId, $"Demo App 1.{minor}", new VersionNumber(1, minor, 0, 1), ReleaseStates.Released, cancellationToken));
        }

        await ChangeAsync(package.SalesforceId, DemoContents.Changes[2], cancellationToken);
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

    private async Task ChangeAsync(string packageId, IReadOnlyList<ItemInput> changes, CancellationToken cancellationToken)
    {
        var current = await items.ListAsync(packageId, cancellationToken);
        foreach (var change in changes)
        {
            var existing = current.FirstOrDefault(i => i.Id is not null && i.Ref.Matches(new ItemRef(change.Type!, change.Name!)));
            if (existing is null)
            {
                await items.AddAsync(packageId, change, cancellationToken);
            }
            else
            {
                await items.UpdateAsync(packageId, existing.Id!, change.Definition, null, cancellationToken);
            }
        }
    }
}
