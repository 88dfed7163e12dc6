using FluentValidation;
using PushApi.Core.Catalog;
using PushApi.Core.Identity;
using PushApi.Core.Packages;
using PushApi.Core.Tenants;

namespace PushApi.Server.Admin;

public sealed class CreatePackageValidator : AbstractValidator<CreatePackageRequest>
{
    public CreatePackageValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(255)
            .Must(n => !n!.Any(char.IsControl)).When(r => r.Name is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("name must not hold control characters.");
        RuleFor(r => r.NamespacePrefix)
            .Matches("^[A-Za-z][A-Za-z0-9_]{0,14}$")
            .When(r => !string.IsNullOrEmpty(r.NamespacePrefix), ApplyConditionTo.CurrentValidator)
            .WithMessage("namespacePrefix must start with a letter and hold at most 15 letters, digits or underscores.");
        RuleFor(r => r.PackageCategory)
            .Must(c => SObjectCatalog.MetadataPackage.FindField("PackageCategory")!.PicklistValues.Any(v => v.Value == c))
            .When(r => r.PackageCategory is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("packageCategory must be one of Application, Module, Package, Package2.");
    }
}

public sealed class CreateVersionValidator : AbstractValidator<CreateVersionRequest>
{
    public CreateVersionValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(255)
            .Must(n => !n!.Any(char.IsControl)).When(r => r.Name is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("name must not hold control characters.");
        RuleFor(r => r.MajorVersion).NotNull().InclusiveBetween(0, 9999);
        RuleFor(r => r.MinorVersion).NotNull().InclusiveBetween(0, 9999);
        RuleFor(r => r.PatchVersion).InclusiveBetween(0, 9999);
        RuleFor(r => r.BuildNumber).InclusiveBetween(0, 999_999);
        RuleFor(r => r.ReleaseState).NotEmpty()
            .Must(s => ReleaseStates.All.Contains(s!))
            .When(r => !string.IsNullOrEmpty(r.ReleaseState), ApplyConditionTo.CurrentValidator)
            .WithMessage("releaseState must be Beta or Released.");
    }
}

public sealed class UpdatePackageValidator : AbstractValidator<UpdatePackageRequest>
{
    public UpdatePackageValidator()
    {
        RuleFor(r => r.Locked).NotNull();
    }
}

public sealed class UpdateVersionValidator : AbstractValidator<UpdateVersionRequest>
{
    public UpdateVersionValidator()
    {
        RuleFor(r => r.IsDeprecated).NotNull().When(r => r.ReleaseState is null && r.Items is null && r.Manifest is null)
            .WithMessage("Send isDeprecated, or releaseState: Released to promote a Beta.");
        RuleFor(r => r.ReleaseState)
            .Must(s => ReleaseStates.All.Contains(s!))
            .When(r => r.ReleaseState is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("releaseState must be Beta or Released.");
    }
}

public sealed class InstallValidator : AbstractValidator<InstallRequest>
{
    public InstallValidator()
    {
        RuleFor(r => r.OrgKey).NotEmpty()
            .Must(k => Core.Ids.OrgKey.TryParse(k, out _)).When(r => !string.IsNullOrEmpty(r.OrgKey), ApplyConditionTo.CurrentValidator)
            .WithMessage("orgKey must be an org id (00D…, 15 or 18 characters).");
        RuleFor(r => r.PackageVersionId).NotEmpty()
            .Must(v => Core.Ids.SalesforceId.TryParseNumber(v, Core.Ids.KeyPrefixes.MetadataPackageVersion, out _))
            .When(r => !string.IsNullOrEmpty(r.PackageVersionId), ApplyConditionTo.CurrentValidator)
            .WithMessage("packageVersionId must be a package version id (04t…).");
    }
}

public sealed class CreateUserValidator : AbstractValidator<CreateUserRequest>
{
    public CreateUserValidator()
    {
        RuleFor(r => r.Username).NotEmpty().MaximumLength(255)
            .Matches(@"^\S+$").WithMessage("username must not contain spaces.");
        RuleFor(r => r.Password).NotEmpty().MinimumLength(8).MaximumLength(1024);
        RuleFor(r => r.Permissions).NotEmpty().WithMessage("permissions must name at least one of Admin, PushUpgrade, Read, ApprovePush.");
        RuleForEach(r => r.Permissions)
            .Must(p => Permissions.Normalize(p) is not null)
            .WithMessage("'{PropertyValue}' is not a permission; use Admin, PushUpgrade, Read or ApprovePush.");
        RuleFor(r => r.Email).EmailAddress().When(r => !string.IsNullOrEmpty(r.Email), ApplyConditionTo.CurrentValidator);
        RuleFor(r => r.FullName).MaximumLength(255);
    }
}

public sealed class CreateApiClientValidator : AbstractValidator<CreateApiClientRequest>
{
    public CreateApiClientValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(255);
        RuleFor(r => r.Permissions).NotEmpty().WithMessage("permissions must name at least one of Admin, PushUpgrade, Read, ApprovePush.");
        RuleForEach(r => r.Permissions)
            .Must(p => Permissions.Normalize(p) is not null)
            .WithMessage("'{PropertyValue}' is not a permission; use Admin, PushUpgrade, Read or ApprovePush.");
    }
}

public static class AdminValidation
{
    /// <summary>The validators of the native API, registered one by one.</summary>
    public static IServiceCollection AddAdminValidators(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<CreatePackageRequest>, CreatePackageValidator>();
        services.AddSingleton<IValidator<CreateVersionRequest>, CreateVersionValidator>();
        services.AddSingleton<IValidator<UpdateVersionRequest>, UpdateVersionValidator>();
        services.AddSingleton<IValidator<UpdatePackageRequest>, UpdatePackageValidator>();
        services.AddSingleton<IValidator<InstallRequest>, InstallValidator>();
        services.AddSingleton<IValidator<CreateUserRequest>, CreateUserValidator>();
        services.AddSingleton<IValidator<CreateApiClientRequest>, CreateApiClientValidator>();
        services.AddSingleton<IValidator<TenantInput>, TenantInputValidator>();
        return services;
    }
}
