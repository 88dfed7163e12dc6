using System.Globalization;
using System.Text;

namespace PushApi.IntegrationTests.Fuzz;

/// <summary>
/// The value classes that broke the service before (docs/reliability.md R12): NUL characters, numbers out of
/// range, lone surrogates, duplicate JSON keys, huge values, wrong types; each as a raw JSON text.
/// </summary>
public sealed class FuzzValues(Random random)
{
    /// <summary>5 MB: above every field limit, below the body limits, so the field checks must answer it.</summary>
    public const int HugeLength = 5 * 1024 * 1024;

    private static readonly string[] Hostile =
    [
        "\"a\\u0000b\"", "\"\\u0000\"", "1e308", "-1e308", "1e29", "-1e29", "1e-400", "9223372036854775808", "-9223372036854775809",
        "79228162514264337593543950336", "0.1e400", "\"\\ud800\"", "\"x\\udfffy\"", "\"\\ud800\\ud800\"", "\"\"", "\" \"", "null", "true", "false",
        "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "0", "-1", "2147483648", "1.5", "\"1e308\"", "\"9999-99-99\"", "\"2026-13-45T25:61:00Z\"",
        "\"00D000000000000\"", "\"033000000000000AAA\"", "\"' OR 1=1 --\"", "\"<x/>\"", "\"%00\"", "\"\\\\\"", "\"NaN\"", "\"-Infinity\"",
    ];

    public Random Random => random;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>A hostile JSON value; rarely (it costs 5 MB a request) a huge string.</summary>
    public string HostileJson() => random.Next(200) == 0 ? "\"" + new string('x', HugeLength) + "\"" : Pick(Hostile);

    /// <summary>A hostile text for a path segment or a query parameter (escaped by the caller).</summary>
    public string HostileText() => Pick(new[]
    {
        "\ud800", "a\u0000b", "1e308", "-1", "0", "9223372036854775808", "", " ", "..", "%", "null", "true", "x'y", "00D000000000000",
        "033000000000000AAA", new string('9', 400), "2026-13-45", "é", "\u202e", "*", "a,b",
    });

    public string Number() => Pick(new[] { "0", "1", "-1", "1e308", "1e29", "2147483648", "1.5", "-0" });

    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A JSON object with these members, sometimes one of them twice (duplicate keys) or one dropped.</summary>
    public string JsonObject(IReadOnlyList<(string Name, string Value)> members)
    {
        var list = members.ToList();
        if (list.Count > 0 && random.Next(6) == 0)
        {
            var twice = Pick(list);
            list.Add((twice.Name, HostileJson()));
        }

        if (list.Count > 0 && random.Next(6) == 0)
        {
            list.RemoveAt(random.Next(list.Count));
        }

        var builder = new StringBuilder("{");
        builder.AppendJoin(',', list.Select(m => Quote(m.Name) + ":" + m.Value));
        return builder.Append('}').ToString();
    }

    /// <summary>Bytes that claim to be gzip and are not, or a truncated gzip stream.</summary>
    public byte[] BadGzip() => random.Next(2) == 0
        ? Encoding.UTF8.GetBytes("{\"not\":\"gzip\"}")
        : [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56, (byte)random.Next(256)];

    /// <summary>A multipart body whose boundary or parts are broken.</summary>
    public (string ContentType, string Body) BadMultipart() => random.Next(3) switch
    {
        0 => ("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"job\"\r\n\r\n{\"object\":\"PackagePushJob\"}\r\n--b"),
        1 => ("multipart/form-data", "--x\r\n\r\n"),
        _ => ("multipart/form-data; boundary=" + new string('b', 100), "garbage\0\r\n--" + new string('b', 100) + "--\r\n"),
    };

    public static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
