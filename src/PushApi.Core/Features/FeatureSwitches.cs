using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Errors;

namespace PushApi.Core.Features;

/// <summary>
/// The feature switches: each one's effective value (<see cref="FeatureState.Resolve"/>) and an
/// administrator's changes. The stored choices live in <c>settings</c>, shared by every instance on the
/// database; an instance reads them again when its copy is older than <see cref="StoredValuesLifetime"/>,
/// and a change it writes applies on it at once.
/// </summary>
public sealed class FeatureSwitches(NpgsqlDataSource dataSource, IOptions<FeatureOptions> options, TimeProvider clock, ILogger<FeatureSwitches> logger)
{
    public static readonly TimeSpan StoredValuesLifetime = TimeSpan.FromSeconds(2);

    private volatile StoredValues? _stored;

    // Counts writes, so a read that overlapped one does not keep what it read.
    private long _writes;

    public async Task<bool> IsEnabledAsync(Feature feature, CancellationToken cancellationToken = default) =>
        options.Value.TurnedOnBy(feature) is not null || (await GetAsync(feature, cancellationToken)).Enabled;

    public async Task<FeatureState> GetAsync(Feature feature, CancellationToken cancellationToken = default)
    {
        var stored = await ReadStoredAsync(cancellationToken);
        return FeatureState.Resolve(feature, options.Value, Stored(stored, feature));
    }

    /// <summary>Every switch, in <see cref="Feature.All"/> order.</summary>
    public async Task<IReadOnlyList<FeatureState>> GetAllAsync(CancellationToken cancellationToken = default)
    {
        var stored = await ReadStoredAsync(cancellationToken);
        return [.. Feature.All.Select(f => FeatureState.Resolve(f, options.Value, Stored(stored, f)))];
    }

    /// <summary>
    /// Stores an administrator's choices, all or none: a switch that configuration or demo mode turns on
    /// can't be turned off here (<see cref="ConflictException"/>, saying what to remove). Returns every switch.
    /// </summary>
    public async Task<IReadOnlyList<FeatureState>> SetAsync(IReadOnlyDictionary<Feature, bool> changes, string changedBy, CancellationToken cancellationToken = default)
    {
        foreach (var (feature, enabled) in changes)
        {
            if (!enabled && options.Value.TurnedOnBy(feature) is { } source)
            {
                throw new ConflictException(WhyItStaysOn(feature, source));
            }
        }

        if (changes.Count > 0)
        {
            await using var command = dataSource.CreateCommand(
                "INSERT INTO settings (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
            command.Parameters.Add(new NpgsqlParameter { Value = changes.Keys.Select(f => f.StoredKey).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = changes.Values.Select(v => v ? "true" : "false").ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
            Interlocked.Increment(ref _writes);
            _stored = null;
            foreach (var (feature, enabled) in changes)
            {
                logger.LogInformation("{User} turned {Feature} {State}.", changedBy, feature.Title, enabled ? "on" : "off");
            }
        }

        return await GetAllAsync(cancellationToken);
    }

    /// <summary>Why the API can't turn a switch off, and what to remove instead.</summary>
    internal static string WhyItStaysOn(Feature feature, FeatureSource source) => source == FeatureSource.Demo
        ? $"{feature.Title} is on because the service runs in demo mode; to turn it off, remove {FeatureOptions.DemoModeVariable} from the service's environment and restart it."
        : $"{feature.Title} is on by configuration; to turn it off, remove {feature.EnvironmentVariable} from the service's environment (or {feature.ConfigurationKey} from its configuration) and restart it.";

    private async Task<IReadOnlyDictionary<string, bool>> ReadStoredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_stored is { } stored && now - stored.ReadAt < StoredValuesLifetime)
        {
            return stored.Values;
        }

        var writes = Interlocked.Read(ref _writes);
        await using var command = dataSource.CreateCommand("SELECT key, value FROM settings WHERE key = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = Feature.All.Select(f => f.StoredKey).ToArray() });
        var values = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                values[reader.GetString(0)] = bool.TryParse(reader.GetString(1), out var enabled) && enabled;
            }
        }

        if (Interlocked.Read(ref _writes) == writes)
        {
            _stored = new StoredValues(values, now);
        }

        return values;
    }

    private static bool? Stored(IReadOnlyDictionary<string, bool> values, Feature feature) =>
        values.TryGetValue(feature.StoredKey, out var enabled) ? enabled : null;

    private sealed record StoredValues(IReadOnlyDictionary<string, bool> Values, DateTimeOffset ReadAt);
}
