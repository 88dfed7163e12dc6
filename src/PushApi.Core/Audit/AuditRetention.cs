using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PushApi.Core.Audit;

/// <summary>How long audit entries are kept (<c>PushApi:Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string Section = "PushApi:Audit";

    /// <summary>Entries older than this many days are purged; 0 keeps them forever.</summary>
    public int RetentionDays { get; set; } = 365;

    /// <summary>How often the purge runs.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Why the options can't be used, or null.</summary>
    public string? Problem() =>
        RetentionDays < 0 ? $"PushApi:Audit:RetentionDays must be 0 (keep forever) or a number of days, not {RetentionDays}."
        : PurgeInterval <= TimeSpan.Zero ? $"PushApi:Audit:PurgeInterval must be positive, not {PurgeInterval}."
        : null;
}

/// <summary>The retention purge: removes the entries older than the retention period, as of the clock's now.</summary>
public sealed class AuditRetention(AuditLog log, IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditRetention> logger)
{
    /// <summary>The oldest moment kept at <paramref name="now"/>, or null when entries are kept forever.</summary>
    public static DateTimeOffset? Cutoff(DateTimeOffset now, int retentionDays) => retentionDays <= 0 ? null : now.AddDays(-retentionDays);

    /// <summary>Purges once; returns how many entries went.</summary>
    public async Task<long> PurgeAsync(CancellationToken cancellationToken = default)
    {
        if (Cutoff(clock.GetUtcNow(), options.Value.RetentionDays) is not { } cutoff)
        {
            return 0;
        }

        var purged = await log.PurgeOlderThanAsync(cutoff, cancellationToken);
        if (purged > 0)
        {
            logger.LogInformation("Purged {Count} audit entries older than {Cutoff:o} ({Days} days retention).", purged, cutoff, options.Value.RetentionDays);
        }

        return purged;
    }
}
