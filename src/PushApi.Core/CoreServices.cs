using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PushApi.Core.Demo;
using PushApi.Core.Identity;
using PushApi.Core.Packages;
using PushApi.Core.Tenants;

namespace PushApi.Core;

/// <summary>Registers the use cases of Core; the host supplies the NpgsqlDataSource, the DbContext and an <see cref="ISecretProtector"/>.</summary>
public static class CoreServices
{
    public static IServiceCollection AddPushApiCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PublisherOrganization>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<Audit.IAuditLog>(sp => sp.GetRequiredService<Audit.AuditLog>());
        services.AddSingleton<Audit.AuditRetention>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<Features.FeatureSwitches>();
        services.AddSingleton<TenantImporter>();
        services.AddSingleton<Soql.SoqlEngine>();
        services.AddSingleton<Replication.ReplicationQueries>();
        services.AddSingleton<Dml.CreatePushRequests>();
        services.AddSingleton<Dml.UpdatePushRequests>();
        services.AddSingleton<Dml.SchedulePushRequests>();
        services.AddSingleton<Dml.AbortPushRequests>();
        services.AddSingleton<Dml.CreatePushJobs>();
        services.AddSingleton<Dml.UpdatePushJobs>();
        services.AddSingleton<Dml.SchedulerHandOff>();
        services.AddSingleton<Dml.DmlService>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<Identity.OAuth.OAuthClients>();
        services.AddScoped<Identity.OAuth.JwtBearerGrant>();
        services.AddSingleton<Identity.OAuth.UsedAssertions>();
        services.AddSingleton<Identity.OAuth.RefreshTokens>();
        services.AddSingleton<Identity.OAuth.AuthorizationCodes>();
        services.AddScoped<PackageAdministration>();
        services.AddSingleton<Packages.Contents.PackageItems>();
        services.AddSingleton<Packages.Contents.PackageDependencies>();
        services.AddSingleton<Packages.Publishing.PublishVersion>();
        services.AddSingleton<Packages.Distribution.VersionManifests>();
        services.AddSingleton<Packages.Distribution.ImportPackage>();
        services.AddScoped<TenantAdministration>();
        services.AddScoped<InstallFromFile>();
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<TenantJobs>();
        services.AddSingleton<Installs.InstallVersion>();
        services.AddSingleton<Installs.VersionContentsCache>();
        services.AddSingleton<Governance.Exclusions>();
        services.AddSingleton<Governance.Approvals.ApprovalSetting>();
        services.AddSingleton<Governance.Approvals.ApprovalGate>();
        services.AddSingleton<Governance.Approvals.PushApprovals>();
        services.AddSingleton<Governance.Approvals.ApproveDeployment>();
        services.AddSingleton<Governance.Approvals.RejectDeployment>();
        services.AddSingleton<Governance.Windows.WindowKeeper>();
        services.AddSingleton<Installs.TenantComponents>();
        services.AddScoped<DemoSeeder>();
        services.AddSingleton<Telemetry.LiveCounts>();
        services.AddSingleton<Telemetry.PushMeters>();
        services.AddSingleton<Telemetry.EngineTelemetry>();
        services.AddSingleton<Push.Engine.PushJobStore>();
        services.AddSingleton<Push.Engine.InPlatformUpgrader>();
        services.AddSingleton<Push.Engine.InteractiveDemand>();
        services.AddSingleton<Push.PushRequests>();
        services.AddSingleton<Retention.PushRetention>();
        services.AddSingleton<Push.Lifecycle.PushLifecycleLog>();
        services.AddSingleton<Push.Lifecycle.PushProgressLog>();
        services.AddSingleton<Bulk.BulkIngestJobs>();
        services.AddSingleton<Bulk.BulkIngestProcessor>();
        services.AddSingleton<Bulk.BulkQueryJobs>();
        services.AddSingleton<Bulk.Bulk2QueryJobs>();
        services.AddSingleton<Bulk.Bulk2QueryResults>();
        services.AddSingleton<Deployments.TargetResolver>();
        services.AddSingleton<Deployments.Candidates.PushCandidates>();
        services.AddSingleton<Deployments.Estimates.DeploymentEstimates>();
        services.AddSingleton<Deployments.CreateDeployment>();
        services.AddSingleton<Deployments.RetryDeployment>();
        services.AddSingleton<Deployments.CancelDeployment>();
        services.AddSingleton<Deployments.DeploymentJobs>();
        services.AddSingleton<Deployments.DeploymentJobDetails>();
        services.AddSingleton<Deployments.DeploymentFailures>();
        services.AddSingleton<Deployments.Waves.WaveSplitter>();
        services.AddSingleton<Deployments.Waves.RolloutChanges>();
        services.AddSingleton<Deployments.Waves.RolloutControl>();
        services.AddSingleton<Deployments.Waves.RolloutSupervisor>();
        services.AddSingleton<Deployments.Waves.RolloutEstimates>();
        return services;
    }
}
