using PushApi.Core.Errors;
using PushApi.Core.Packages;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.UnitTests.Push;

public class EligibilityTests
{
    private const long Package = 1;
    private const long OtherPackage = 2;
    private static readonly TargetVersion Target = new("04t000000000003AAA", Package, new VersionNumber(1, 2, 0, 1), ReleaseStates.Released, false);

    private static OrgFacts Org(string status = "Active", long package = Package, VersionNumber? installed = null, string installedStatus = "i", bool blocked = false) =>
        new("00D000000000001", status, new InstallationFacts(package, installed ?? new VersionNumber(1, 1, 0, 1), installedStatus, blocked));

    private static IEnumerable<TestCaseData> Matrix()
    {
        yield return Case("eligible: lower version, installed, active", PushStatus.Created, Target, Org(), false, null);
        yield return Case("eligible: Trial org", PushStatus.Created, Target, Org("Trial"), false, null);
        yield return Case("eligible: Demo org", PushStatus.Created, Target, Org("Demo"), false, null);
        yield return Case("eligible: Free org", PushStatus.Created, Target, Org("Free"), false, null);
        yield return Case("eligible: lower patch", PushStatus.Created, Target with { Number = new VersionNumber(1, 2, 1, 1) }, Org(installed: new VersionNumber(1, 2, 0, 1)), false, null);
        yield return Case("eligible: lower build of the same number", PushStatus.Created, Target with { Number = new VersionNumber(1, 2, 0, 3) }, Org(installed: new VersionNumber(1, 2, 0, 2)), false, null);
        yield return Case("eligible: run-time recheck ignores request status", null, Target, Org(), false, null);
        yield return Case("request already Pending", PushStatus.Pending, Target, Org(), false, IneligibleReason.RequestNotCreated);
        yield return Case("request Canceled", PushStatus.Canceled, Target, Org(), false, IneligibleReason.RequestNotCreated);
        yield return Case("beta target", PushStatus.Created, Target with { ReleaseState = ReleaseStates.Beta }, Org(), false, IneligibleReason.TargetNotReleased);
        yield return Case("deprecated target", PushStatus.Created, Target with { IsDeprecated = true }, Org(), false, IneligibleReason.TargetDeprecated);
        yield return Case("org already in the request", PushStatus.Created, Target, Org(), true, IneligibleReason.Duplicate);
        yield return Case("unknown org", PushStatus.Created, Target, null, false, IneligibleReason.UnknownOrg);
        yield return Case("no install at all", PushStatus.Created, Target, new OrgFacts("00D000000000001", "Active", null), false, IneligibleReason.NotInstalled);
        yield return Case("install of another package", PushStatus.Created, Target, Org(package: OtherPackage), false, IneligibleReason.NotInstalled);
        yield return Case("uninstalled", PushStatus.Created, Target, Org(installedStatus: "u"), false, IneligibleReason.Uninstalled);
        yield return Case("Inactive org", PushStatus.Created, Target, Org("Inactive"), false, IneligibleReason.Inactive);
        yield return Case("subscriber blocks pushes", PushStatus.Created, Target, Org(blocked: true), false, IneligibleReason.Blocked);
        yield return Case("same version installed", PushStatus.Created, Target, Org(installed: Target.Number), false, IneligibleReason.AlreadyCurrent);
        yield return Case("newer version installed", PushStatus.Created, Target, Org(installed: new VersionNumber(2, 0, 0, 1)), false, IneligibleReason.AlreadyCurrent);
        yield return Case("newer minor installed, lower major target", PushStatus.Created, Target with { Number = new VersionNumber(1, 9, 0, 1) }, Org(installed: new VersionNumber(1, 10, 0, 1)), false, IneligibleReason.AlreadyCurrent);
    }

    private static TestCaseData Case(string name, PushStatus? requestStatus, TargetVersion target, OrgFacts? org, bool duplicate, IneligibleReason? expected) =>
        new TestCaseData(requestStatus, target, org, duplicate, expected).SetName(name);

    [TestCaseSource(nameof(Matrix))]
    public void Eligibility_follows_the_rules(PushStatus? requestStatus, TargetVersion target, OrgFacts? org, bool duplicate, IneligibleReason? expected) =>
        Assert.That(Eligibility.Check(requestStatus, target, org, duplicate), Is.EqualTo(expected));

    [Test]
    public void Duplicates_are_DUPLICATE_VALUE_and_every_other_reason_INVALID_OPERATION()
    {
        foreach (var reason in Enum.GetValues<IneligibleReason>())
        {
            var error = Eligibility.ToSaveError(reason, "00D000000000001", Target);
            Assert.That(error.StatusCode, Is.EqualTo(reason == IneligibleReason.Duplicate ? ErrorCodes.DuplicateValue : ErrorCodes.InvalidOperation), reason.ToString());
            Assert.That(error.Message, Is.Not.Empty);
            Assert.That(error.Fields, Is.Empty);
        }
    }

    [Test]
    public void Already_current_says_which_version_the_org_has()
    {
        var installation = new InstallationFacts(Package, new VersionNumber(1, 4, 0, 1), "i", false);
        var message = Eligibility.Describe(IneligibleReason.AlreadyCurrent, "00D000000000001", Target, installation);
        Assert.That(message, Does.Contain("1.4").And.Contain("1.2").And.Contain("00D000000000001"));
    }
}
