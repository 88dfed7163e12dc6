using PushApi.Core.Ids;

namespace PushApi.UnitTests.Ids;

public class SalesforceIdTests
{
    // 15-character ids and their 18-character forms as Salesforce issued them (documentation examples,
    // CumulusCI's recorded fixtures) — written down, not computed.
    [TestCase("0015000000Gv7qJ", "0015000000Gv7qJAAR")]
    [TestCase("001D000000IqhSL", "001D000000IqhSLIAZ")]
    [TestCase("a0D30000001n7Pi", "a0D30000001n7PiEAI")]
    [TestCase("0DX1K000000LcuB", "0DX1K000000LcuBWAS")]
    [TestCase("0DY1K00000013sD", "0DY1K00000013sDWAQ")]
    [TestCase("04t000000000001", "04t000000000001AAA")]
    public void The_checksum_suffix_matches_known_pairs(string id15, string id18)
    {
        Assert.That(SalesforceId.Checksum(id15), Is.EqualTo(id18[15..]));
        Assert.That(SalesforceId.TryParse(id15, out var parsed), Is.True);
        Assert.That(parsed.Id18, Is.EqualTo(id18));
    }

    [Test]
    public void An_18_character_id_is_accepted_with_its_suffix_in_any_case()
    {
        Assert.That(SalesforceId.TryParse("0DX1K000000LcuBwas", out var id), Is.True);
        Assert.That(id.Id15, Is.EqualTo("0DX1K000000LcuB"));
    }

    [TestCase("0DX1K000000LcuBWAT", Description = "wrong checksum")]
    [TestCase("0DX1K000000Lcu", Description = "14 characters")]
    [TestCase("0DX1K000000LcuBW", Description = "16 characters")]
    [TestCase("0DX1K000000Lcu!", Description = "not alphanumeric")]
    [TestCase("", Description = "empty")]
    [TestCase(null, Description = "null")]
    public void Malformed_ids_are_refused(string? text) =>
        Assert.That(SalesforceId.TryParse(text, out _), Is.False);

    [Test]
    public void Ids_are_case_sensitive_in_their_first_15_characters()
    {
        Assert.That(SalesforceId.TryParse("0DX1K000000LcuB", out var upper), Is.True);
        Assert.That(SalesforceId.TryParse("0DX1K000000Lcub", out var lower), Is.True);
        Assert.That(upper, Is.Not.EqualTo(lower));
        Assert.That(upper.Id18, Is.Not.EqualTo(lower.Id18));
    }

    [TestCase("0DV", 1L, "0DV000000000001GAA")]
    [TestCase("033", 62L, "033000000000010AAA")]
    [TestCase("04t", 3843L, "04t0000000000zzAAA")]
    public void Row_numbers_become_prefixed_base62_ids(string prefix, long number, string expected)
    {
        Assert.That(SalesforceId.Format(prefix, number), Is.EqualTo(expected));
        Assert.That(SalesforceId.TryParseNumber(expected, prefix, out var back), Is.True);
        Assert.That(back, Is.EqualTo(number));
        Assert.That(SalesforceId.TryParseNumber(expected[..15], prefix, out var back15), Is.True, "the 15-character form is accepted too");
        Assert.That(back15, Is.EqualTo(number));
    }

    [Test]
    public void Every_row_number_round_trips()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var number = random.NextInt64(1, long.MaxValue);
            var id = SalesforceId.Format(KeyPrefixes.PackagePushJob, number);
            Assert.That(id, Has.Length.EqualTo(18));
            Assert.That(SalesforceId.TryParseNumber(id, KeyPrefixes.PackagePushJob, out var back) && back == number, Is.True, id);
        }
    }

    [TestCase("0DV000000000001GAB", Description = "wrong checksum")]
    [TestCase("0DV000000000001gaa", Description = "checksum in lower case: accepted")]
    public void A_row_number_is_read_from_an_18_character_id_only_when_its_checksum_is_right(string id) =>
        Assert.That(SalesforceId.TryParseNumber(id, KeyPrefixes.PackagePushRequest, out _), Is.EqualTo(id.EndsWith("gaa", StringComparison.Ordinal)));

    [Test]
    public void The_key_prefix_is_compared_exactly()
    {
        Assert.That(SalesforceId.TryParse("0DV000000000001", out var id), Is.True);
        Assert.That(id.HasPrefix("0DV"), Is.True);
        Assert.That(id.HasPrefix("0Dv"), Is.False, "prefixes are case-sensitive");
        Assert.That(id.HasPrefix("0DX"), Is.False);
    }

    [Test]
    public void An_id_of_another_object_is_not_a_row_of_this_one() =>
        Assert.That(SalesforceId.TryParseNumber("0DV000000000001AAA", KeyPrefixes.PackagePushJob, out _), Is.False);

    [Test]
    public void Ids_beyond_the_row_number_range_are_not_rows()
    {
        Assert.That(SalesforceId.TryParseNumber("0DVzzzzzzzzzzzz", KeyPrefixes.PackagePushRequest, out _), Is.False);
        Assert.That(SalesforceId.TryParseNumber("0DV000000000000", KeyPrefixes.PackagePushRequest, out _), Is.False, "row 0 does not exist");
    }

    [Test]
    public void Org_keys_are_00D_ids_kept_in_15_characters()
    {
        Assert.That(OrgKey.TryParse("00DFeyLoahEKZqo", out var key), Is.True);
        Assert.That(key.Value, Is.EqualTo("00DFeyLoahEKZqo"));
        Assert.That(OrgKey.TryParse(key.Id18, out var from18) && from18 == key, Is.True);
        Assert.That(OrgKey.TryParse("0DV000000000001", out _), Is.False, "not an org id");
    }

    [Test]
    public void New_org_keys_match_the_pattern_the_sf_CLI_accepts()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.That(OrgKey.NewRandom().Value, Does.Match("^00D[a-zA-Z0-9]{12}$"));
        }
    }
}
