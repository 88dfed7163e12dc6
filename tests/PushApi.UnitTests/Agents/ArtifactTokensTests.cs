using Microsoft.AspNetCore.DataProtection;
using PushApi.Server.Agents;
using PushApi.Server.Security;

namespace PushApi.UnitTests.Agents;

/// <summary>The token of an artifact link proves PushApi made the link for exactly one job and attempt.</summary>
public class ArtifactTokensTests
{
    private readonly EphemeralDataProtectionProvider _keys = new();

    private ArtifactTokens Tokens => new(_keys);

    [Test]
    public void A_token_is_genuine_for_the_job_and_attempt_it_was_issued_for()
    {
        var token = Tokens.Issue(42, 3);
        Assert.That(Tokens.IsGenuine(token, 42, 3), Is.True);
    }

    [Test]
    public void A_token_proves_nothing_for_another_job_or_attempt()
    {
        var token = Tokens.Issue(42, 3);
        Assert.That(Tokens.IsGenuine(token, 43, 3), Is.False, "another job");
        Assert.That(Tokens.IsGenuine(token, 42, 4), Is.False, "the next attempt");
        Assert.That(Tokens.IsGenuine(token, 42, 2), Is.False, "an earlier attempt");
        Assert.That(Tokens.IsGenuine(token, 423, 3), Is.False, "the payload is not a prefix match");
    }

    [Test]
    public void A_token_is_url_safe_and_differs_each_time_it_is_issued()
    {
        var first = Tokens.Issue(42, 1);
        var second = Tokens.Issue(42, 1);
        Assert.That(first, Does.Match("^[A-Za-z0-9_-]+$"));
        Assert.That(first, Has.Length.LessThan(ArtifactTokens.MaxLength));
        Assert.That(first, Is.Not.EqualTo(second), "nothing to learn from comparing links");
        Assert.That(Tokens.IsGenuine(second, 42, 1), Is.True);
    }

    [Test]
    public void An_altered_token_is_refused()
    {
        var token = Tokens.Issue(42, 1);
        for (var i = 0; i < token.Length; i += 7)
        {
            var altered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            Assert.That(Tokens.IsGenuine(altered, 42, 1), Is.False, $"character {i} changed");
        }

        Assert.That(Tokens.IsGenuine(token[..^1], 42, 1), Is.False, "truncated");
        Assert.That(Tokens.IsGenuine(token + "A", 42, 1), Is.False, "extended");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("not a token")]
    [TestCase("%%%")]
    [TestCase("AAAA")]
    public void Garbage_is_refused_without_an_exception(string? token) =>
        Assert.That(Tokens.IsGenuine(token, 42, 1), Is.False);

    [Test]
    public void An_overlong_token_is_refused_unread() =>
        Assert.That(Tokens.IsGenuine(new string('A', ArtifactTokens.MaxLength + 1), 42, 1), Is.False);

    [Test]
    public void A_token_from_another_key_ring_is_refused()
    {
        var elsewhere = new ArtifactTokens(new EphemeralDataProtectionProvider()).Issue(42, 1);
        Assert.That(Tokens.IsGenuine(elsewhere, 42, 1), Is.False);
    }

    [Test]
    public void What_the_same_keys_protect_for_another_purpose_is_no_token()
    {
        // A tenant's protected agent password is ciphertext under the same key ring; it must not pass for a token.
        var password = new DataProtectionSecretProtector(_keys).Protect("42:1");
        Assert.That(Tokens.IsGenuine(password, 42, 1), Is.False);
    }
}
