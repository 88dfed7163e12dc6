using System.Globalization;
using System.Xml;
using PushApi.Core.Errors;
using PushApi.Core.Ids;

namespace PushApi.Core.Deployments.Waves;

/// <summary>A wave as a client sends it: a name and at most one selector (org keys, a SOQL condition, a percent); none takes the rest.</summary>
public sealed record WaveInput(string? Name, IReadOnlyList<string>? OrgKeys, string? Where, double? Percent, string? BakeTime);

/// <summary>A deployment's rollout options as a client sends them (all optional).</summary>
public sealed record RolloutInput(IReadOnlyList<WaveInput>? Waves, double? HaltOnFailureRate, int? MinJobs, string? OnHalt, string? Seed)
{
    /// <summary>Whether the deployment is a rollout at all: it has waves or a failure threshold.</summary>
    public bool IsRollout => Waves is { Count: > 0 } || HaltOnFailureRate is not null || MinJobs is not null || OnHalt is not null || Seed is not null;
}

/// <summary>A checked wave: its name, its selector (none for the rest) and how long to wait after it before the next starts.</summary>
public sealed record WaveSpec(string Name, IReadOnlyList<string>? OrgKeys, string? Where, double? Percent, TimeSpan BakeTime)
{
    public bool TakesTheRest => OrgKeys is null && Where is null && Percent is null;

    /// <summary>The selector as stored and shown.</summary>
    public object Selector => OrgKeys is not null ? new { orgKeys = OrgKeys.Count } : Where is not null ? new { where = Where } : Percent is not null ? new { percent = Percent } : new { rest = true };
}

/// <summary>
/// A checked rollout: the waves in order, the failure threshold (null: never halt) judged once <see cref="MinJobs"/>
/// jobs of a running wave have finished (a finished wave is always judged), what a halt does to the later waves, and
/// the seed of the percent waves' sample.
/// </summary>
public sealed record RolloutPlan(IReadOnlyList<WaveSpec> Waves, double? HaltOnFailureRate, int MinJobs, string OnHalt, string Seed)
{
    public const int MaxWaves = 20;
    public const int DefaultMinJobs = 10;
    public const string Hold = "hold";
    public const string Cancel = "cancel";
    private static readonly TimeSpan MaxBake = TimeSpan.FromDays(30);

    /// <summary>Checks the input (each problem a 400 naming its field); null when the deployment is not a rollout. The seed defaults to the version's id.</summary>
    public static RolloutPlan? From(RolloutInput? input, string defaultSeed)
    {
        if (input is null || !input.IsRollout)
        {
            return null;
        }

        if (input.HaltOnFailureRate is { } rate && (double.IsNaN(rate) || rate < 0 || rate >= 1))
        {
            throw new InputException("haltOnFailureRate", "Give the failure rate that halts the deployment as a fraction from 0 up to (not including) 1, such as 0.05.");
        }

        if (input.MinJobs is < 1 or > 1_000_000)
        {
            throw new InputException("minJobs", "minJobs is the number of finished jobs before a running wave is judged: between 1 and 1,000,000.");
        }

        var onHalt = input.OnHalt ?? Hold;
        if (onHalt is not (Hold or Cancel))
        {
            throw new InputException("onHalt", $"'{input.OnHalt}' is not a halt action: say \"cancel\" (the later waves are canceled) or \"hold\" (they wait to be resumed).");
        }

        if (input.Seed is { Length: 0 or > 200 })
        {
            throw new InputException("seed", "The seed of the percent waves' sample is 1 to 200 characters.");
        }

        var waves = input.Waves is { Count: > 0 } given ? Check(given) : [new WaveSpec("all", null, null, null, TimeSpan.Zero)];
        return new RolloutPlan(waves, input.HaltOnFailureRate, input.MinJobs ?? DefaultMinJobs, onHalt, input.Seed ?? defaultSeed);
    }

    private static List<WaveSpec> Check(IReadOnlyList<WaveInput> given)
    {
        if (given.Count > MaxWaves)
        {
            throw new InputException("waves", $"A deployment has at most {MaxWaves} waves.");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var listedIn = new Dictionary<string, int>(StringComparer.Ordinal);
        var waves = new List<WaveSpec>(given.Count);
        for (var i = 0; i < given.Count; i++)
        {
            var wave = given[i] ?? throw new InputException($"waves[{i}]", "A wave is an object: {\"name\": …, \"orgKeys\" | \"where\" | \"percent\": …, \"bakeTime\": \"PT10M\"}.");
            var field = $"waves[{i}]";
            var name = string.IsNullOrWhiteSpace(wave.Name) ? $"Wave {i + 1}" : wave.Name.Trim();
            if (name.Length > 80 || !names.Add(name))
            {
                throw new InputException(field + ".name", name.Length > 80 ? "A wave's name is at most 80 characters." : $"Two waves are named '{name}'; give each its own name.");
            }

            var selectors = (wave.OrgKeys is not null ? 1 : 0) + (wave.Where is not null ? 1 : 0) + (wave.Percent is not null ? 1 : 0);
            if (selectors > 1)
            {
                throw new InputException(field, "Give a wave at most one of orgKeys, where or percent (none takes the rest).");
            }

            if (selectors == 0 && i < given.Count - 1)
            {
                throw new InputException(field, "A wave without orgKeys, where or percent takes the rest of the tenants, so only the last wave may go without one.");
            }

            var keys = wave.OrgKeys is { } listed ? Keys(listed, field + ".orgKeys", i, listedIn) : null;
            if (wave.Where is { } where && (string.IsNullOrWhiteSpace(where) || where.Length > 20_000))
            {
                throw new InputException(field + ".where", "The condition must be non-empty SOQL on PackageSubscriber of at most 20,000 characters.");
            }

            if (wave.Percent is { } percent && (double.IsNaN(percent) || percent <= 0 || percent > 100))
            {
                throw new InputException(field + ".percent", $"A wave's percent is more than 0 and at most 100 (got {percent.ToString(CultureInfo.InvariantCulture)}).");
            }

            waves.Add(new WaveSpec(name, keys, wave.Where, wave.Percent, Bake(wave.BakeTime, field + ".bakeTime")));
        }

        return waves;
    }

    private static List<string> Keys(IReadOnlyList<string> listed, string field, int wave, Dictionary<string, int> listedIn)
    {
        if (listed.Count is 0 or > 100_000)
        {
            throw new InputException(field, "List between 1 and 100,000 org keys.");
        }

        var keys = new List<string>(listed.Count);
        foreach (var sent in listed)
        {
            if (!OrgKey.TryParse(sent?.Trim() ?? "", out var key))
            {
                throw new InputException(field, $"'{sent}' is not an org key (00D followed by 12 or 15 letters and digits).");
            }

            if (listedIn.TryGetValue(key.Value, out var other) && other != wave)
            {
                throw new InputException(field, $"The org {key.Value} is in waves {other} and {wave} (counting from 0); the waves overlap. List each org in one wave.");
            }

            if (listedIn.TryAdd(key.Value, wave))
            {
                keys.Add(key.Value);
            }
        }

        return keys;
    }

    private static TimeSpan Bake(string? text, string field)
    {
        if (text is null)
        {
            return TimeSpan.Zero;
        }

        TimeSpan bake;
        try
        {
            bake = XmlConvert.ToTimeSpan(text.Trim());
        }
        catch (FormatException)
        {
            throw new InputException(field, $"'{text}' is not an ISO 8601 duration such as PT10M or P1DT2H.");
        }
        catch (OverflowException)
        {
            throw new InputException(field, $"The bake time '{text}' is too long; at most {MaxBake.TotalDays:0} days.");
        }

        return bake < TimeSpan.Zero || bake > MaxBake
            ? throw new InputException(field, $"The bake time is from PT0S up to {MaxBake.TotalDays:0} days.")
            : bake;
    }
}
