using System.Diagnostics.CodeAnalysis;

namespace PushApi.Core.Ids;

/// <summary>
/// The id of a subscriber org (tenant): an <c>00D</c> id, kept in its 15-character form; an 18-character
/// form is accepted when its checksum is right.
/// </summary>
public readonly record struct OrgKey
{
    private OrgKey(string value)
    {
        Value = value;
    }

    /// <summary>The 15-character key.</summary>
    public string Value { get; }

    public string Id18 => Value + SalesforceId.Checksum(Value);

    public static bool TryParse([NotNullWhen(true)] string? text, out OrgKey key)
    {
        key = default;
        if (!SalesforceId.TryParse(text, out var id) || !id.HasPrefix(KeyPrefixes.Organization))
        {
            return false;
        }

        key = new OrgKey(id.Id15);
        return true;
    }

    public static OrgKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException($"'{text}' is not an org id (00D followed by 12 or 15 characters).");

    /// <summary>A new random org key (00D and 12 random base-62 characters).</summary>
    public static OrgKey NewRandom() => new(KeyPrefixes.Organization + Base62.Random(12));

    public override string ToString() => Value;
}
