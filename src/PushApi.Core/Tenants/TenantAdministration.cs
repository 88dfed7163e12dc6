using FluentValidation;
using Microsoft.EntityFrameworkCore;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Persistence;

namespace PushApi.Core.Tenants;

/// <summary>A change to one field: set (possibly to null) or left alone.</summary>
public readonly record struct FieldChange<T>(bool IsSet, T Value)
{
    public static FieldChange<T> Unchanged => default;

    public static FieldChange<T> To(T value) => new(true, value);
}

/// <summary>What a PATCH of a tenant changes. Required fields can be replaced but not cleared.</summary>
public sealed record TenantPatch
{
    public FieldChange<string?> OrgName { get; init; }

    public FieldChange<string?> OrgType { get; init; }

    public FieldChange<string?> OrgStatus { get; init; }

    public FieldChange<string?> InstanceName { get; init; }

    public FieldChange<string?> ParentOrg { get; init; }

    public FieldChange<string?> ContactEmail { get; init; }

    /// <summary>The rollup-summary-field limit (null: none).</summary>
    public FieldChange<int?> MaxRollupSummaryFields { get; init; }

    public FieldChange<string[]?> Features { get; init; }

    /// <summary>The tenant's opt-out of push upgrades, copied onto every PackageSubscriber row it has.</summary>
    public FieldChange<bool> HasRestrictionEnabled { get; init; }

    /// <summary>When the tenant may be upgraded; null clears it (any time).</summary>
    public FieldChange<Governance.Windows.MaintenanceWindowInput?> MaintenanceWindow { get; init; }

    /// <summary>Set to an agent to reach the tenant remotely; set to null to make it an in-platform tenant.</summary>
    public FieldChange<AgentInput?> Agent { get; init; }
}

/// <summary>Tenants (subscriber orgs) and their installs, one at a time; imports go through <see cref="TenantImporter"/>.</summary>
public sealed class TenantAdministration(PushApiDbContext db, ISecretProtector secrets, TimeProvider clock)
{
    private static readonly TenantInputValidator Validator = new();

    public async Task<Tenant> CreateAsync(TenantInput input, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(Validator.Validate(input));
        var now = clock.Now();
        var tenant = new Tenant
        {
            OrgKey = input.OrgKey is null ? OrgKey.NewRandom().Value : OrgKey.Parse(input.OrgKey).Value,
            OrgName = input.OrgName!.Trim(),
            OrgType = OrgTypes.Field.FindPicklistValue(input.OrgType!)!.Value,
            OrgStatus = OrgStatuses.Field.FindPicklistValue(input.OrgStatus!)!.Value,
            InstanceName = NullIfBlank(input.InstanceName),
            ParentOrg = string.IsNullOrEmpty(input.ParentOrg) ? null : OrgKey.Parse(input.ParentOrg).Value,
            ContactEmail = NullIfBlank(input.ContactEmail),
            MaintenanceWindow = input.MaintenanceWindow is { } window ? Governance.Windows.MaintenanceWindow.Parse(window) : null,
            CreatedAt = now,
            SystemModstamp = now,
        };
        SetAgent(tenant, input.Agent);
        db.Tenants.Add(tenant);
        await db.SaveOrConflictAsync(_ => $"A tenant with the org key {tenant.OrgKey} already exists.", cancellationToken);

        return tenant;
    }

    public async Task<Tenant> GetAsync(string orgKey, CancellationToken cancellationToken = default) =>
        await FindAsync(orgKey, tracked: false, cancellationToken);

    /// <summary>A page of tenants in org-key order, after the given key (keyset paging).</summary>
    public Task<List<Tenant>> ListAsync(int limit, string? after, CancellationToken cancellationToken = default)
    {
        var query = db.Tenants.AsNoTracking();
        if (!string.IsNullOrEmpty(after))
        {
            query = query.Where(t => string.Compare(t.OrgKey, after) > 0);
        }

        return query.OrderBy(t => t.OrgKey).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<Tenant> UpdateAsync(string orgKey, TenantPatch patch, CancellationToken cancellationToken = default)
    {
        var tenant = await FindAsync(orgKey, tracked: true, cancellationToken);

        // Validate the tenant as it will be after the patch, with the same rules as a create.
        var merged = new TenantInput
        {
            OrgKey = tenant.OrgKey,
            OrgName = patch.OrgName.IsSet ? patch.OrgName.Value : tenant.OrgName,
            OrgType = patch.OrgType.IsSet ? patch.OrgType.Value : tenant.OrgType,
            OrgStatus = patch.OrgStatus.IsSet ? patch.OrgStatus.Value : tenant.OrgStatus,
            InstanceName = patch.InstanceName.IsSet ? patch.InstanceName.Value : tenant.InstanceName,
            ParentOrg = patch.ParentOrg.IsSet ? patch.ParentOrg.Value : tenant.ParentOrg,
            ContactEmail = patch.ContactEmail.IsSet ? patch.ContactEmail.Value : tenant.ContactEmail,
            Agent = patch.Agent.IsSet ? patch.Agent.Value : null,
            MaintenanceWindow = patch.MaintenanceWindow.IsSet ? patch.MaintenanceWindow.Value : null,
        };
        ThrowIfInvalid(Validator.Validate(merged));

        tenant.OrgName = merged.OrgName!.Trim();
        tenant.OrgType = OrgTypes.Field.FindPicklistValue(merged.OrgType!)!.Value;
        tenant.OrgStatus = OrgStatuses.Field.FindPicklistValue(merged.OrgStatus!)!.Value;
        tenant.InstanceName = NullIfBlank(merged.InstanceName);
        tenant.ParentOrg = string.IsNullOrEmpty(merged.ParentOrg) ? null : OrgKey.Parse(merged.ParentOrg).Value;
        tenant.ContactEmail = NullIfBlank(merged.ContactEmail);
        if (patch.Agent.IsSet)
        {
            SetAgent(tenant, patch.Agent.Value);
        }

        if (patch.MaxRollupSummaryFields.IsSet)
        {
            tenant.MaxRollupSummaryFields = patch.MaxRollupSummaryFields.Value;
        }

        if (patch.Features.IsSet)
        {
            tenant.Features = patch.Features.Value;
        }


        tenant.SystemModstamp = clock.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (patch.HasRestrictionEnabled.IsSet)
        {
            tenant.HasRestrictionEnabled = patch.HasRestrictionEnabled.Value;
            await db.Installations.Where(i => i.OrgKey == tenant.OrgKey).ExecuteUpdateAsync(
                set => set.SetProperty(i => i.HasRestrictionEnabled, tenant.HasRestrictionEnabled).SetProperty(i => i.SystemModstamp, tenant.SystemModstamp), cancellationToken);
        }

        if (patch.MaintenanceWindow.IsSet)
        {
            // Jobs already waiting (or running free) in started pushes follow the new window from the keeper's next pass.
            tenant.MaintenanceWindow = patch.MaintenanceWindow.Value is { } window ? Governance.Windows.MaintenanceWindow.Parse(window) : null;
            await db.Database.ExecuteSqlRawAsync(Governance.Windows.WindowMarks.RecheckTenants("SELECT {1}"), [tenant.SystemModstamp, tenant.OrgKey], cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return tenant;
    }

    /// <summary>Records that an org installed (or upgraded to) a version: creates or updates its PackageSubscriber row.</summary>
    public async Task<Installation> InstallAsync(string orgKey, string packageVersionId, CancellationToken cancellationToken = default)
    {
        var tenant = await FindAsync(orgKey, tracked: false, cancellationToken);
        var versionNumber = PackageAdministration.ParseOrThrowNotFound(packageVersionId, KeyPrefixes.MetadataPackageVersion, "package version");
        var version = await db.PackageVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == versionNumber, cancellationToken)
            ?? throw new NotFoundException($"No package version has the id {packageVersionId}.");

        var now = clock.Now();
        var installation = await db.Installations.FirstOrDefaultAsync(i => i.OrgKey == tenant.OrgKey && i.PackageId == version.PackageId, cancellationToken);
        if (installation is null)
        {
            installation = Installation.Create(tenant.OrgKey, version.PackageId, version.Id, now);
            installation.HasRestrictionEnabled = tenant.HasRestrictionEnabled;
            db.Installations.Add(installation);
        }
        else
        {
            installation.Install(version.Id, now);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (PostgresErrors.IsUniqueViolation(e))
        {
            // Another request recorded the same install at the same moment: apply ours on top of it.
            db.ChangeTracker.Clear();
            return await InstallAsync(orgKey, packageVersionId, cancellationToken);
        }

        return installation;
    }

    /// <summary>Marks an org's install of a package uninstalled (InstalledStatus <c>u</c>); the row stays for history.</summary>
    public async Task<Installation> UninstallAsync(string orgKey, string packageId, CancellationToken cancellationToken = default)
    {
        var key = ParseOrgKeyOrThrowNotFound(orgKey);
        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        var installation = await db.Installations.FirstOrDefaultAsync(i => i.OrgKey == key && i.PackageId == package, cancellationToken)
            ?? throw new NotFoundException($"The org {orgKey} has no install of package {packageId}.");
        installation.Uninstall(clock.Now());
        await db.SaveChangesAsync(cancellationToken);
        return installation;
    }

    public async Task<List<Installation>> ListInstallationsAsync(string orgKey, CancellationToken cancellationToken = default)
    {
        var tenant = await FindAsync(orgKey, tracked: false, cancellationToken);
        return await db.Installations.AsNoTracking().Where(i => i.OrgKey == tenant.OrgKey).OrderBy(i => i.Id).ToListAsync(cancellationToken);
    }

    internal static void ThrowIfInvalid(FluentValidation.Results.ValidationResult result)
    {
        if (!result.IsValid)
        {
            throw new InputException(result.Errors
                .GroupBy(e => e.PropertyName)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()));
        }
    }

    private static string ParseOrgKeyOrThrowNotFound(string orgKey) =>
        OrgKey.TryParse(orgKey, out var key) ? key.Value : throw new NotFoundException($"No tenant has the org key {orgKey}.");

    private async Task<Tenant> FindAsync(string orgKey, bool tracked, CancellationToken cancellationToken)
    {
        var key = ParseOrgKeyOrThrowNotFound(orgKey);
        var query = tracked ? db.Tenants : db.Tenants.AsNoTracking();
        return await query.FirstOrDefaultAsync(t => t.OrgKey == key, cancellationToken)
            ?? throw new NotFoundException($"No tenant has the org key {orgKey}.");
    }

    private void SetAgent(Tenant tenant, AgentInput? agent)
    {
        tenant.AgentUrl = agent?.Url;
        tenant.AgentUsername = agent?.Username;
        tenant.AgentPasswordProtected = agent?.Password is { } password ? secrets.Protect(password) : null;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
