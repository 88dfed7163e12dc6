using System.Text.RegularExpressions;
using PushApi.Core.Identity;

namespace PushApi.UnitTests.Identity;

public class IdentityTests
{
    [Test]
    public void Passwords_verify_only_against_their_own_hash()
    {
        var hash = PasswordHasher.Hash("correct horse", iterations: 1000);
        Assert.That(hash, Does.StartWith("pbkdf2-sha256$1000$"));
        Assert.That(PasswordHasher.Verify("correct horse", hash), Is.True);
        Assert.That(PasswordHasher.Verify("Correct horse", hash), Is.False);
        Assert.That(PasswordHasher.Hash("correct horse", iterations: 1000), Is.Not.EqualTo(hash), "salted");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("plain")]
    [TestCase("pbkdf2-sha256$x$AAAA$AAAA")]
    [TestCase("pbkdf2-sha256$1000$not base64$AAAA")]
    [TestCase("md5$1000$AAAA$AAAA")]
    public void Malformed_stored_hashes_never_verify(string? stored) =>
        Assert.That(PasswordHasher.Verify("anything", stored), Is.False);

    [Test]
    public void Admin_includes_everything_and_PushUpgrade_includes_Read()
    {
        Assert.That(Permissions.Effective([Permissions.Admin]), Is.EquivalentTo(Permissions.All));
        Assert.That(Permissions.Effective([Permissions.PushUpgrade]), Is.EquivalentTo(new[] { Permissions.PushUpgrade, Permissions.Read }));
        Assert.That(Permissions.Effective([Permissions.Read]), Is.EquivalentTo(new[] { Permissions.Read }));
        Assert.That(Permissions.Normalize("pushupgrade"), Is.EqualTo(Permissions.PushUpgrade));
        Assert.That(Permissions.Normalize("Root"), Is.Null);
    }

    [Test]
    public void Only_admins_hold_ApprovePush_without_being_granted_it()
    {
        Assert.That(Permissions.Effective([Permissions.Admin]), Does.Contain(Permissions.ApprovePush));
        Assert.That(Permissions.Effective([Permissions.PushUpgrade]), Does.Not.Contain(Permissions.ApprovePush));
        Assert.That(Permissions.Effective([Permissions.ApprovePush]), Is.EquivalentTo(new[] { Permissions.ApprovePush }), "approving does not include pushing or reading");
        Assert.That(Permissions.Normalize("approvepush"), Is.EqualTo(Permissions.ApprovePush));
    }

    [TestCase("00D000000000001AAA!AQ0AQlocaltoken123", true)]
    [TestCase("00D000000000001AAA!abc.def_ghi", true)]
    [TestCase("00D000000000001!AQ0AQlocaltoken123xx", false)]
    [TestCase("Bearer 00D000000000001AAA!abc", false)]
    [TestCase("00D000000000001AAA!abc def", false)]
    [TestCase("005000000000001AAA!abcdefgh", false)]
    [TestCase("", false)]
    public void Only_tokens_of_the_issued_shape_are_looked_up(string token, bool plausible) =>
        Assert.That(SessionStore.LooksLikeToken(token), Is.EqualTo(plausible));

    [Test]
    public void The_issued_token_shape_passes_the_sf_CLI_check()
    {
        // sfdx-core accepts an access token only if it matches this (unanchored) pattern.
        var cli = new Regex(@"(00D\w{12,15})![.\w]*");
        var token = "00D" + PushApi.Core.Ids.Base62.Random(15) + "!" + PushApi.Core.Ids.Base62.Random(48);
        Assert.That(SessionStore.LooksLikeToken(token), Is.True);
        Assert.That(cli.IsMatch(token), Is.True);
    }

    [Test]
    public void Generated_passwords_are_long_and_random()
    {
        var a = PasswordHasher.GeneratePassword();
        Assert.That(a, Has.Length.EqualTo(20));
        Assert.That(PasswordHasher.GeneratePassword(), Is.Not.EqualTo(a));
    }
}
