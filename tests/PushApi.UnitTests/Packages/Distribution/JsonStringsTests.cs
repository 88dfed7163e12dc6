using System.Text;
using System.Text.Json;
using PushApi.Core.Formats;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>
/// JSON strings that are valid JSON but no text .NET can read or PostgreSQL store, found without decoding them;
/// each verdict is checked against what System.Text.Json itself does with the string.
/// </summary>
public class JsonStringsTests
{
    private static readonly string[] Text =
    [
        "\"plain\"", "\"\"", "\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00 \\uDBFF\\uDFFF\"", "\"\\u00e9\\n\\t\\\"\\\\\\/\"",
        "\"\\\\ud800\"", "\"\\\\u0000\"", "\"caf\u00e9 \ud83d\ude00\"", "\"\\u0001\\u001f\"",
    ];

    private static readonly string[] LoneSurrogates =
    [
        "\"\\ud800\"", "\"\\udc00\"", "\"\\uDBFF\"", "\"a\\ud800b\"", "\"\\ud800\\ud800\\udc00\"", "\"\\ud800\\n\"",
        "\"\\ud800\\u0041\"", "\"\\ude00\\ud83d\"", "\"\\ud83d\\ude00\\ude00\"", "\"\\ud800\\\\udc00\"",
    ];

    private static readonly string[] Nuls = ["\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud83d\\ude00\\u0000\""];

    [TestCaseSource(nameof(Text))]
    public void A_string_that_is_text_has_no_problem(string json)
    {
        Assert.That(ValueProblem(json), Is.Null);
        Assert.That(ReaderProblems(json), Is.EqualTo(new string?[] { null, null, null }));
        Assert.That(JsonDocument.Parse(json).RootElement.GetString(), Does.Not.Contain('\0'), "System.Text.Json reads it");
    }

    [TestCaseSource(nameof(LoneSurrogates))]
    public void A_lone_surrogate_is_found_where_System_Text_Json_cannot_read_the_string(string json)
    {
        Assert.That(ValueProblem(json), Is.EqualTo(JsonStrings.LoneSurrogate));
        Assert.That(ReaderProblems(json), Is.EqualTo(new string?[] { JsonStrings.LoneSurrogate, JsonStrings.LoneSurrogate, JsonStrings.LoneSurrogate }));
        Assert.Throws<InvalidOperationException>(() => JsonDocument.Parse(json).RootElement.GetString());
    }

    [TestCaseSource(nameof(Nuls))]
    public void A_NUL_is_found(string json)
    {
        Assert.That(ValueProblem(json), Is.EqualTo(JsonStrings.NulCharacter));
        Assert.That(ReaderProblems(json), Is.EqualTo(new string?[] { JsonStrings.NulCharacter, JsonStrings.NulCharacter, JsonStrings.NulCharacter }));
        Assert.That(JsonDocument.Parse(json).RootElement.GetString(), Does.Contain('\0'));
    }

    [Test]
    public void An_element_is_walked_through_names_values_arrays_and_nesting()
    {
        Assert.That(JsonStrings.Problem(Parse("{\"a\":[1,true,null,{\"b\":\"ok\"}],\"c\":{\"d\":[\"e\"]}}")), Is.Null);
        Assert.That(JsonStrings.Problem(Parse("{\"a\":[1,{\"b\":[\"ok\",\"\\udc00\"]}]}")), Is.EqualTo(JsonStrings.LoneSurrogate));
        Assert.That(JsonStrings.Problem(Parse("{\"a\":{\"b\\u0000\":1}}")), Is.EqualTo(JsonStrings.NulCharacter));
        Assert.That(JsonStrings.Problem(Parse("[[[\"\\ud800\"]]]")), Is.EqualTo(JsonStrings.LoneSurrogate));
        Assert.That(JsonStrings.Problem(Parse("42")), Is.Null);
    }

    [Test]
    public void A_string_that_is_not_UTF8_is_found_by_the_reader_which_does_not_check_it_itself()
    {
        byte[] json = [(byte)'[', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)']'];
        var reader = new Utf8JsonReader(json);
        reader.Read();
        reader.Read();
        Assert.That(JsonStrings.Problem(ref reader), Is.EqualTo(JsonStrings.NotUtf8));
    }

    [Test]
    public void The_messages_read_as_the_issue_asks()
    {
        Assert.That(JsonStrings.LoneSurrogate, Is.EqualTo("holds a string that is not valid Unicode text (a lone surrogate)"));
        Assert.That(JsonStrings.NulCharacter, Is.EqualTo("holds a NUL character (\\u0000), which cannot be stored"));
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static string? ValueProblem(string json) => JsonStrings.Problem(Parse(json));

    /// <summary>The reader's verdicts on the string as a value, as a property name, and in an object as the element walk sees it.</summary>
    private static string?[] ReaderProblems(string json)
    {
        var asName = "{" + json + ":1}";
        return [ReaderProblem("[" + json + "]", JsonTokenType.String), ReaderProblem(asName, JsonTokenType.PropertyName), JsonStrings.Problem(Parse(asName))];
    }

    private static string? ReaderProblem(string json, JsonTokenType token)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        while (reader.Read())
        {
            if (reader.TokenType == token)
            {
                return JsonStrings.Problem(ref reader);
            }
        }

        throw new AssertionException($"no {token} in {json}");
    }
}
