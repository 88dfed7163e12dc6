using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using PushApi.Core.Errors;

namespace PushApi.Core.Deployments.Waves;

/// <summary>
/// Splits a deployment's eligible orgs into its waves, in order: each wave takes, of the orgs no earlier wave took,
/// those it lists, those its SOQL condition selects, or its percent of all eligible orgs (rounded up) as a stable
/// sample seeded by the rollout's seed; the last wave without a selector takes the rest.
/// </summary>
public sealed class WaveSplitter(TargetResolver targets)
{
    /// <summary>
    /// The org keys of each wave. <paramref name="targeted"/> is every org the targets named (eligible or not): a
    /// wave may only list those. Every wave must get an org, and every eligible org a wave.
    /// </summary>
    public async Task<List<List<string>>> SplitAsync(RolloutPlan plan, IReadOnlyCollection<string> targeted, IReadOnlyList<string> eligible, long packageId, CancellationToken cancellationToken)
    {
        var remaining = new HashSet<string>(eligible, StringComparer.Ordinal);
        var targetedSet = targeted as IReadOnlySet<string> ?? new HashSet<string>(targeted, StringComparer.Ordinal);
        var split = new List<List<string>>(plan.Waves.Count);
        for (var i = 0; i < plan.Waves.Count; i++)
        {
            var wave = plan.Waves[i];
            List<string> keys;
            if (wave.OrgKeys is { } listed)
            {
                if (listed.FirstOrDefault(k => !targetedSet.Contains(k)) is { } stranger)
                {
                    throw new InputException($"waves[{i}].orgKeys", $"The org {stranger} is not among the deployment's targets; a wave splits the targets, it does not add to them.");
                }

                keys = [.. listed.Where(remaining.Contains)];
            }
            else if (wave.Where is { } where)
            {
                var selected = (await targets.SelectedAsync(where, packageId, $"waves[{i}].where", cancellationToken)).ToHashSet(StringComparer.Ordinal);
                keys = [.. eligible.Where(k => remaining.Contains(k) && selected.Contains(k))];
            }
            else if (wave.Percent is { } percent)
            {
                var size = (int)Math.Min(remaining.Count, Math.Ceiling(percent / 100d * eligible.Count));
                keys = Sample(remaining, plan.Seed, size);
            }
            else
            {
                keys = [.. eligible.Where(remaining.Contains)];
            }

            if (keys.Count == 0)
            {
                throw new InputException($"waves[{i}]", $"The wave '{wave.Name}' gets no eligible org (an earlier wave took them, or none is eligible; the report says who is left out and why).");
            }

            remaining.ExceptWith(keys);
            split.Add(keys);
        }

        if (remaining.Count > 0)
        {
            throw new InputException("waves", $"{remaining.Count:N0} eligible tenants are in no wave (such as {remaining.First()}); end with a wave without a selector to take the rest.");
        }

        return split;
    }

    /// <summary>
    /// The <paramref name="size"/> orgs that come first when ordered by SHA-256 of seed and org key: the same seed picks
    /// the same orgs from the same population, and an org picked from a population is picked from any part of it holding
    /// no org that comes before it.
    /// </summary>
    public static List<string> Sample(IEnumerable<string> population, string seed, int size) =>
        [.. population.Select(k => (Key: k, Rank: Rank(seed, k))).OrderBy(p => p.Rank).ThenBy(p => p.Key, StringComparer.Ordinal).Take(size).Select(p => p.Key)];

    private static ulong Rank(string seed, string orgKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed + "\n" + orgKey), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
