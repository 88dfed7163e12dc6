using PushApi.Core.Tenants;

namespace PushApi.UnitTests.Tenants;

public class TenantInputValidatorTests
{
    private static readonly TenantInputValidator Validator = new();

    private static readonly TenantInput Valid = new()
    {
        OrgKey = "00D000000000001",
        OrgName = "Acme",
        OrgType = "Production",
        OrgStatus = "Active",
    };

    [Test]
    public void A_complete_tenant_is_valid()
    {
        Assert.That(Validator.Validate(Valid).IsValid, Is.True);
        Assert.That(Validator.Validate(Valid with { OrgKey = null }).IsValid, Is.True, "the org key is generated when absent");
        Assert.That(Validator.Validate(Valid with { OrgType = "sandbox", OrgStatus = "trial" }).IsValid, Is.True, "picklists ignore case");
        Assert.That(Validator.Validate(Valid with { Agent = new AgentInput("https://agent.example/upgrade", "svc", "pw") }).IsValid, Is.True);
        Assert.That(Validator.Validate(Valid with { MaintenanceWindow = new("America/New_York", ["Sat", "sunday"], "22:00", "04:00") }).IsValid, Is.True, "a window may cross midnight");
    }

    private static IEnumerable<TestCaseData> Invalid()
    {
        yield return new TestCaseData(Valid with { OrgKey = "001000000000001" }, "orgKey").SetName("org key that is not an org id");
        yield return new TestCaseData(Valid with { OrgKey = "00D000000000001XYZ" }, "orgKey").SetName("18-character org key with a wrong checksum");
        yield return new TestCaseData(Valid with { OrgName = null }, "orgName").SetName("no name");
        yield return new TestCaseData(Valid with { OrgName = new string('x', 256) }, "orgName").SetName("name too long");
        yield return new TestCaseData(Valid with { OrgType = "Scratch" }, "orgType").SetName("unknown org type");
        yield return new TestCaseData(Valid with { OrgType = null }, "orgType").SetName("no org type");
        yield return new TestCaseData(Valid with { OrgStatus = "Deleted" }, "orgStatus").SetName("unknown org status");
        yield return new TestCaseData(Valid with { ParentOrg = "parent" }, "parentOrg").SetName("parent that is not an org id");
        yield return new TestCaseData(Valid with { Agent = new AgentInput("ftp://agent", "u", "p") }, "agent.url").SetName("agent URL that is not http");
        yield return new TestCaseData(Valid with { Agent = new AgentInput("https://agent", null, "p") }, "agent.username").SetName("agent without username");
        yield return new TestCaseData(Valid with { Agent = new AgentInput("https://agent", "u", "") }, "agent.password").SetName("agent without password");
        yield return new TestCaseData(Valid with { PackageVersionId = "033000000000001AAA" }, "packageVersionId").SetName("install of something that is not a version id");
        yield return new TestCaseData(Valid with { MaintenanceWindow = new("Europe/Atlantis", null, "22:00", "04:00") }, "maintenanceWindow.timeZone").SetName("window in an unknown time zone");
        yield return new TestCaseData(Valid with { MaintenanceWindow = new("UTC", ["Caturday"], "22:00", "04:00") }, "maintenanceWindow.days").SetName("window on an unknown day");
        yield return new TestCaseData(Valid with { MaintenanceWindow = new("UTC", null, "9:00", "17:00") }, "maintenanceWindow.start").SetName("window start that is not HH:mm");
        yield return new TestCaseData(Valid with { MaintenanceWindow = new("UTC", null, "09:00", "09:00") }, "maintenanceWindow.end").SetName("window that ends as it starts");
    }

    [TestCaseSource(nameof(Invalid))]
    public void Bad_fields_are_named_as_the_API_spells_them(TenantInput input, string field)
    {
        var result = Validator.Validate(input);
        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors.Select(e => e.PropertyName), Does.Contain(field));
    }
}
