using PushApi.Core.Packages.Distribution;

namespace PushApi.Core.Tenants;

/// <summary>
/// "Subscribe from File": imports the version a package ZIP carries (idempotently, ids kept) and installs
/// it into one tenant, as a fresh install or an upgrade. The tenant is checked before anything is written.
/// </summary>
public sealed class InstallFromFile(TenantAdministration tenants, ImportPackage import)
{
    public async Task<(ImportResult Import, Installation Installation)> RunAsync(string orgKey, PackageArchive archive, CancellationToken cancellationToken)
    {
        await tenants.GetAsync(orgKey, cancellationToken);
        var imported = await import.RunAsync(archive, cancellationToken);
        var installation = await tenants.InstallAsync(orgKey, imported.VersionId, cancellationToken);
        return (imported, installation);
    }
}
