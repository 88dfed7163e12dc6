using PushApi.Server.Admin;

namespace PushApi.UnitTests.Admin;

public class AdminValidatorTests
{
    [Test]
    public void Packages_need_a_name_and_a_well_formed_namespace()
    {
        var validator = new CreatePackageValidator();
        Assert.That(validator.Validate(new CreatePackageRequest("App", "app_ns", null)).IsValid, Is.True);
        Assert.That(validator.Validate(new CreatePackageRequest("App", null, "Package2")).IsValid, Is.True);
        Assert.That(Fields(validator.Validate(new CreatePackageRequest("", "1ns", "Other"))), Is.EquivalentTo(new[] { "name", "namespacePrefix", "packageCategory" }));
        Assert.That(Fields(validator.Validate(new CreatePackageRequest("App", "a_namespace_that_is_too_long", null))), Is.EqualTo(new[] { "namespacePrefix" }));
    }

    [Test]
    public void Versions_need_a_name_numbers_and_a_release_state()
    {
        var validator = new CreateVersionValidator();
        Assert.That(validator.Validate(new CreateVersionRequest("1.0", 1, 0, null, null, "Released")).IsValid, Is.True);
        Assert.That(Fields(validator.Validate(new CreateVersionRequest(null, null, -1, -2, -3, "Alpha"))),
            Is.EquivalentTo(new[] { "name", "majorVersion", "minorVersion", "patchVersion", "buildNumber", "releaseState" }));
    }

    [Test]
    public void Deprecation_needs_a_value() =>
        Assert.That(Fields(new UpdateVersionValidator().Validate(new UpdateVersionRequest(null))), Is.EqualTo(new[] { "isDeprecated" }));

    [Test]
    public void Installs_need_an_org_key_and_a_version_id()
    {
        var validator = new InstallValidator();
        Assert.That(validator.Validate(new InstallRequest("00D000000000001", "04t000000000001AAA")).IsValid, Is.True);
        Assert.That(Fields(validator.Validate(new InstallRequest("00X000000000001", "033000000000001AAA"))), Is.EquivalentTo(new[] { "orgKey", "packageVersionId" }));
        Assert.That(Fields(validator.Validate(new InstallRequest(null, null))), Is.EquivalentTo(new[] { "orgKey", "packageVersionId" }));
    }

    [Test]
    public void Users_need_a_username_a_real_password_and_known_permissions()
    {
        var validator = new CreateUserValidator();
        Assert.That(validator.Validate(new CreateUserRequest("ops@acme.test", "long-enough", ["read"], null, null)).IsValid, Is.True);
        Assert.That(Fields(validator.Validate(new CreateUserRequest("has space", "short", [], null, "not-an-email"))),
            Is.EquivalentTo(new[] { "username", "password", "permissions", "email" }));
        Assert.That(Fields(validator.Validate(new CreateUserRequest("ops", "long-enough", ["Read", "Root"], null, null))), Is.EqualTo(new[] { "permissions[1]" }));
    }

    [Test]
    public void Api_clients_need_a_name_and_permissions()
    {
        var validator = new CreateApiClientValidator();
        Assert.That(validator.Validate(new CreateApiClientRequest("CI", ["PushUpgrade"])).IsValid, Is.True);
        Assert.That(Fields(validator.Validate(new CreateApiClientRequest(null, null))), Is.EquivalentTo(new[] { "name", "permissions" }));
    }

    private static string[] Fields(FluentValidation.Results.ValidationResult result) => [.. result.Errors.Select(e => e.PropertyName).Distinct()];
}
