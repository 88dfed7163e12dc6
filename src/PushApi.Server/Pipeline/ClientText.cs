using System.Text.RegularExpressions;

namespace PushApi.Server.Pipeline;

/// <summary>
/// What a 4xx may say back to a client: no .NET type names (they say nothing to a client and tell an attacker what
/// runs here: "IReadOnlyList`1[System.String]" becomes "an array of strings"), and no value echoed at length (a quoted
/// value is cut at 100 characters, a message at 2,000), so a 5 MB bad value does not come back whole. A lone
/// surrogate a client sent ("\ud800") becomes U+FFFD: no writer (JSON, XML, UTF-8) can encode it.
/// </summary>
public static partial class ClientText
{
    public const int MaxEcho = 100;
    public const int MaxMessage = 2000;

    public static string Clean(string text)
    {
        var named = TypeName().Replace(WellFormed(text), m => Describe(m.Value));
        var cut = Quoted().Replace(named, m => m.Groups[2].Length <= MaxEcho ? m.Value : $"{m.Groups[1].Value}{m.Groups[2].Value[..MaxEcho]}…{m.Groups[1].Value}");
        return cut.Length <= MaxMessage ? cut : cut[..MaxMessage] + "…";
    }

    private static string WellFormed(string text)
    {
        if (!text.Any(char.IsSurrogate))
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    private static string Describe(string type) => type switch
    {
        _ when type.Contains("String", StringComparison.Ordinal) && (type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) || type.Contains("Enumerable", StringComparison.Ordinal) || type.Contains("Collection", StringComparison.Ordinal))
            => "an array of strings",
        _ when type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) || type.Contains("Enumerable", StringComparison.Ordinal) => "an array",
        _ when type.EndsWith("String", StringComparison.Ordinal) => "a string",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("Int", StringComparison.Ordinal) || type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Date", StringComparison.Ordinal) || type.Contains("Time", StringComparison.Ordinal) => "a date and time",
        _ => "a value of the expected shape",
    };

    [GeneratedRegex(@"\b(?:System|Microsoft|PushApi)\.[\w.`\[\],]*[\w\]]")]
    private static partial Regex TypeName();

    [GeneratedRegex("""(['"])([^'"]*)\1""")]
    private static partial Regex Quoted();
}
