using FluentValidation;
using PushApi.Core.Ids;

namespace PushApi.Core.Tenants;

/// <summary>The address and credentials of a remote tenant's upgrade agent.</summary>
public sealed record AgentInput(string? Url, string? Username, string? Password);

/// <summary>A tenant as a client sends it, to create one or as a row of an import.</summary>
public sealed record TenantInput
{
    /// <summary>The org id; generated when absent.</summary>
    public string? OrgKey { get; init; }

    public string? OrgName { get; init; }

    public string? OrgType { get; init; }

    public string? OrgStatus { get; init; }

    public string? InstanceName { get; init; }

    public string? ParentOrg { get; init; }

    public string? ContactEmail { get; init; }

    public AgentInput? Agent { get; init; }

    /// <summary>The tenant's opt-out of push upgrades (Salesforce's HasRestrictionEnabled); null leaves it as it is.</summary>
    public bool? HasRestrictionEnabled { get; init; }

    /// <summary>When the tenant may be upgraded; null: any time (an import leaves an existing tenant's window as it is).</summary>
    public Governance.Windows.MaintenanceWindowInput? MaintenanceWindow { get; init; }

    /// <summary>Import only: records an install of this version for the tenant.</summary>
    public string? PackageVersionId { get; init; }
}

/// <summary>Checks a tenant before it is written; error keys are the camelCase field names of the native API.</summary>
public sealed class TenantInputValidator : AbstractValidator<TenantInput>
{
    public TenantInputValidator()
    {
        RuleFor(t => t.OrgKey)
            .Must(k => Ids.OrgKey.TryParse(k, out _))
            .When(t => t.OrgKey is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("orgKey must be an org id: 00D followed by 12 letters or digits (15 characters), or its 18-character form.");
        RuleFor(t => t.OrgName).NotEmpty().MaximumLength(255);
        RuleFor(t => t.OrgType).NotEmpty()
            .Must(v => OrgTypes.Field.FindPicklistValue(v!) is not null)
            .When(t => !string.IsNullOrEmpty(t.OrgType), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => $"orgType must be one of {string.Join(", ", OrgTypes.Field.PicklistValues.Select(v => v.Value))}.");
        RuleFor(t => t.OrgStatus).NotEmpty()
            .Must(v => OrgStatuses.Field.FindPicklistValue(v!) is not null)
            .When(t => !string.IsNullOrEmpty(t.OrgStatus), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => $"orgStatus must be one of {string.Join(", ", OrgStatuses.Field.PicklistValues.Select(v => v.Value))}.");
        RuleFor(t => t.InstanceName).MaximumLength(40);
        RuleFor(t => t.ParentOrg)
            .Must(k => Ids.OrgKey.TryParse(k, out _))
            .When(t => !string.IsNullOrEmpty(t.ParentOrg), ApplyConditionTo.CurrentValidator)
            .WithMessage("parentOrg must be an org id (00D…, 15 or 18 characters).");
        RuleFor(t => t.ContactEmail).MaximumLength(254).EmailAddress()
            .When(t => !string.IsNullOrEmpty(t.ContactEmail), ApplyConditionTo.AllValidators)
            .WithMessage("contactEmail must be an e-mail address.");
        RuleFor(t => t.Agent!).SetValidator(new AgentInputValidator()).When(t => t.Agent is not null, ApplyConditionTo.CurrentValidator);
        RuleFor(t => t.MaintenanceWindow).Custom((window, context) =>
        {
            foreach (var (field, message) in window is null ? [] : Governance.Windows.MaintenanceWindow.Check(window))
            {
                context.AddFailure(field, message);
            }
        });
        RuleFor(t => t.PackageVersionId)
            .Must(v => SalesforceId.TryParseNumber(v, KeyPrefixes.MetadataPackageVersion, out _))
            .When(t => !string.IsNullOrEmpty(t.PackageVersionId), ApplyConditionTo.CurrentValidator)
            .WithMessage("packageVersionId must be a package version id (04t…).");
    }
}

public sealed class AgentInputValidator : AbstractValidator<AgentInput>
{
    public AgentInputValidator()
    {
        RuleFor(a => a.Url).NotEmpty().MaximumLength(2000)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            .When(a => !string.IsNullOrEmpty(a.Url), ApplyConditionTo.CurrentValidator)
            .WithMessage("agent.url must be an absolute http or https URL.");
        RuleFor(a => a.Username).NotEmpty().MaximumLength(255);
        RuleFor(a => a.Password).NotEmpty().MaximumLength(1024);
    }
}

/// <summary>Encrypts remote-agent passwords at rest (implemented with ASP.NET Core Data Protection by the server).</summary>
public interface ISecretProtector
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}
