using PushApi.Core.Installs;
using PushApi.Core.Packages.Distribution;

namespace PushApi.Core.Tenants;

/// <summary>
/// "Subscribe from File": imports the version a package ZIP carries (idempotently, ids kept) and installs it
/// into one tenant through the install engine (a fresh install or an upgrade, one transaction). The tenant is
/// checked before anything is written; a refused install (a name conflict) leaves the imported version in place.
/// </summary>
public sealed class InstallFromFile(TenantAdministration tenants, ImportPackage import, InstallVersion install)
{
    public async Task<(ImportResult Import, InstallPlan Plan)> RunAsync(string orgKey, PackageArchive archive, InstallOptions options, CancellationToken cancellationToken)
    {
        await tenants.GetAsync(orgKey, cancellationToken);
        var imported = await import.RunAsync(archive, cancellationToken);
        var plan = await install.ApplyAsync(orgKey, imported.VersionId, options, cancellationToken);
        return (imported, plan);
    }
}
