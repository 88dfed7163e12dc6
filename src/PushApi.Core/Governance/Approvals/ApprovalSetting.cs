using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Features;

namespace PushApi.Core.Governance.Approvals;

/// <summary>Governance settings from configuration (section <c>PushApi:Governance</c>, environment <c>PushApi__Governance__RequireApproval=true</c>).</summary>
public sealed class GovernanceOptions
{
    public const string Section = "PushApi:Governance";

    public const string RequireApprovalVariable = "PushApi__Governance__RequireApproval";

    /// <summary>On: every push a user schedules waits for another user's approval, and the API can't turn that off.</summary>
    public bool RequireApproval { get; set; }
}

/// <summary>Whether pushes need a second person's approval, and what decides it (configuration, an administrator's setting, or the default: no).</summary>
public sealed record ApprovalRequirement(bool Required, FeatureSource Source);

/// <summary>
/// The four-eyes setting: on by configuration (then the API can't turn it off), else an administrator's
/// stored choice (<c>PATCH /api/v1/settings {"requireApproval": …}</c>), else off. It is read from the
/// database in the transaction that schedules, so every instance applies a change at once. Demo mode
/// leaves it alone: it is a control, not a feature.
/// </summary>
public sealed class ApprovalSetting(NpgsqlDataSource dataSource, IOptions<GovernanceOptions> options, ILogger<ApprovalSetting> logger)
{
    private const string StoredKey = "require_approval";

    public async Task<ApprovalRequirement> GetAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await GetAsync(connection, cancellationToken);
    }

    /// <summary>The requirement as the caller's transaction sees it.</summary>
    public async Task<ApprovalRequirement> GetAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (options.Value.RequireApproval)
        {
            return new(true, FeatureSource.Configuration);
        }

        await using var command = new NpgsqlCommand("SELECT value FROM settings WHERE key = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = StoredKey });
        return await command.ExecuteScalarAsync(cancellationToken) is string value
            ? new(bool.TryParse(value, out var required) && required, FeatureSource.Settings)
            : new(false, FeatureSource.Default);
    }

    /// <summary>A ConflictException, saying what to remove, when configuration keeps approval on and this would turn it off.</summary>
    public void EnsureChangeable(bool required)
    {
        if (!required && options.Value.RequireApproval)
        {
            throw new ConflictException(
                $"Approval is required by configuration; to turn it off, remove {GovernanceOptions.RequireApprovalVariable} from the service's environment (or {GovernanceOptions.Section}:RequireApproval from its configuration) and restart it.");
        }
    }

    /// <summary>Stores an administrator's choice; turning it off while configuration turns it on is a conflict saying what to remove.</summary>
    public async Task<ApprovalRequirement> SetAsync(bool required, string changedBy, CancellationToken cancellationToken = default)
    {
        EnsureChangeable(required);

        await using (var command = dataSource.CreateCommand("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = StoredKey });
            command.Parameters.Add(new NpgsqlParameter { Value = required ? "true" : "false" });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        logger.LogInformation("{User} turned approval of pushes {State}.", changedBy, required ? "on" : "off");
        return await GetAsync(cancellationToken);
    }
}
