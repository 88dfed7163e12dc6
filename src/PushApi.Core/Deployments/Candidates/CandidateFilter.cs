using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Tenants;

namespace PushApi.Core.Deployments.Candidates;

/// <summary>
/// The Schedule Push Upgrades page's filter on a package's tenants, shared by the candidates list and a deployment's
/// <c>targets.filter</c>: a partial, case-insensitive match on the org name or an exact org id; Production or Sandbox;
/// the installed version. Every part is optional; an empty filter matches every tenant a deployment could target.
/// </summary>
public sealed record CandidateFilter(string? Search, string? OrgType, long? InstalledVersionId)
{
    /// <summary>The longest search text accepted.</summary>
    public const int MaxSearch = 255;

    public static CandidateFilter Empty { get; } = new(null, null, null);

    /// <summary>The filter as sent, checked; a bad part is a 400 naming <paramref name="prefix"/> and the part (<c>targets.filter.orgType</c>).</summary>
    public static CandidateFilter Parse(string? search, string? orgType, string? installedVersionId, string prefix = "")
    {
        var text = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        if (text is { Length: > MaxSearch })
        {
            throw new InputException(prefix + "search", $"The search is at most {MaxSearch} characters.");
        }

        string? type = null;
        if (!string.IsNullOrWhiteSpace(orgType) && !string.Equals(orgType, "All", StringComparison.OrdinalIgnoreCase))
        {
            type = string.Equals(orgType, OrgTypes.Production, StringComparison.OrdinalIgnoreCase) ? OrgTypes.Production
                : string.Equals(orgType, OrgTypes.Sandbox, StringComparison.OrdinalIgnoreCase) ? OrgTypes.Sandbox
                : throw new InputException(prefix + "orgType", $"'{orgType}' is not an org type: use Production, Sandbox or All.");
        }

        long? version = null;
        if (!string.IsNullOrWhiteSpace(installedVersionId))
        {
            version = SalesforceId.TryParseNumber(installedVersionId.Trim(), KeyPrefixes.MetadataPackageVersion, out var number)
                ? number
                : throw new InputException(prefix + "installedVersionId", $"'{installedVersionId}' is not a package version id (04t…).");
        }

        return new CandidateFilter(text, type, version);
    }

    /// <summary>The org key the search names exactly (a 15- or 18-character org id), or null when it is a name search.</summary>
    public string? SearchedKey => Search is { } s && OrgKey.TryParse(s, out var key) ? key.Value : null;

    /// <summary>The search as a LIKE pattern on the lower-cased name (its wildcards escaped), or null.</summary>
    public string? NamePattern => Search is { } s && SearchedKey is null
        ? "%" + s.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%"
        : null;
}
