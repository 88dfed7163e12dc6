using PushApi.Core.Packages;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;
using PushApi.Core.Tenants;

namespace PushApi.Core.Deployments.Candidates;

/// <summary>
/// What <see cref="Eligibility.Check"/> decides on, packed by SQL into one small number per org (a bit per fact), so
/// that a page of 100,000 tenants is counted by reason in one aggregate. The rules stay in <see cref="Eligibility"/>:
/// each of the 256 codes is turned back into the facts it stands for and checked there, once per call.
/// </summary>
public static class CandidateFacts
{
    private const int Inactive = 1;
    private const int HasInstallation = 2;
    private const int Uninstalled = 4;
    private const int Current = 8;
    private const int InstallBlocked = 16;
    private const int OptedOut = 32;
    private const int Excluded = 64;
    private const int Busy = 128;

    /// <summary>Every code there is.</summary>
    public const int Codes = 256;

    /// <summary>
    /// SQL: the code of the org of tenant <c>t</c>, installation <c>i</c> (of the package, or nulls), its version <c>v</c>,
    /// exclusion <c>x</c> and live push <c>b</c>; the target's version number is compared with <paramref name="targetVersion"/>
    /// (an SQL row of major, minor, patch, build).
    /// </summary>
    public static string CodeSql(string targetVersion) =>
        $"""
        ((CASE WHEN lower(t.org_status) = '{OrgStatuses.Inactive.ToLowerInvariant()}' THEN {Inactive} ELSE 0 END)
         | (CASE WHEN i.id IS NOT NULL THEN {HasInstallation} ELSE 0 END)
         | (CASE WHEN i.installed_status <> '{InstalledStatuses.Installed}' THEN {Uninstalled} ELSE 0 END)
         | (CASE WHEN (v.major_version, v.minor_version, v.patch_version, v.build_number) >= {targetVersion} THEN {Current} ELSE 0 END)
         | (CASE WHEN i.has_restriction_enabled THEN {InstallBlocked} ELSE 0 END)
         | (CASE WHEN t.has_restriction_enabled THEN {OptedOut} ELSE 0 END)
         | (CASE WHEN x.org_key IS NOT NULL THEN {Excluded} ELSE 0 END)
         | (CASE WHEN b.org_key IS NOT NULL THEN {Busy} ELSE 0 END))
        """;

    /// <summary>Why an org with each code cannot be pushed <paramref name="target"/> (null: it can), by <see cref="Eligibility.Check"/>.</summary>
    public static IneligibleReason?[] Decide(TargetVersion target, bool installs)
    {
        var reasons = new IneligibleReason?[Codes];
        for (var code = 0; code < Codes; code++)
        {
            reasons[code] = Eligibility.Check(PushStatus.Created, target, Facts(code, target), alreadyInRequest: false, installs);
        }

        return reasons;
    }

    /// <summary>Facts that stand for the code: any org with that code is decided alike.</summary>
    private static OrgFacts Facts(int code, TargetVersion target)
    {
        var installed = (code & Current) != 0 ? target.Number : Below(target.Number);
        var installation = (code & HasInstallation) == 0
            ? null
            : new InstallationFacts(target.PackageId, installed, (code & Uninstalled) != 0 ? InstalledStatuses.Uninstalled : InstalledStatuses.Installed, (code & InstallBlocked) != 0);
        return new OrgFacts("", (code & Inactive) != 0 ? OrgStatuses.Inactive : OrgStatuses.Active, installation)
        {
            OptedOut = (code & OptedOut) != 0,
            Excluded = (code & Excluded) != 0,
            BusyIn = (code & Busy) != 0 ? "another push" : null,
        };
    }

    /// <summary>A version number lower than <paramref name="number"/> (itself when there is none: 0.0.0.0, which every install reaches).</summary>
    private static VersionNumber Below(VersionNumber number) =>
        number.Build > 0 ? number with { Build = number.Build - 1 }
        : number.Patch > 0 ? number with { Patch = number.Patch - 1 }
        : number.Minor > 0 ? number with { Minor = number.Minor - 1 }
        : number.Major > 0 ? number with { Major = number.Major - 1 }
        : number;
}
