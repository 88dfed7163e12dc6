using System.Globalization;
using System.Net;
using System.Text;

namespace PushApi.IntegrationTests.Telemetry;

/// <summary>One scrape of <c>/metrics</c> in the Prometheus text format, read into samples.</summary>
public sealed class PrometheusScrape
{
    private PrometheusScrape(string text, List<Sample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>The metric names present (sample names, with their <c>_bucket</c>, <c>_total</c> … suffixes).</summary>
    public IReadOnlySet<string> Names => Samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    public static async Task<PrometheusScrape> TakeAsync(HttpClient client, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return Parse(text);
    }

    public static PrometheusScrape Parse(string text) =>
        new(text, [.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(ParseLine)]);

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);

    private static Sample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (brace < 0 || brace > space)
        {
            return new Sample(line[..space], labels, ParseValue(line[(space + 1)..]));
        }

        var i = brace + 1;
        while (line[i] != '}')
        {
            var equals = line.IndexOf('=', i);
            var name = line[i..equals];
            var value = new StringBuilder();
            for (i = equals + 2; line[i] != '"'; i++)
            {
                value.Append(line[i] == '\\' ? line[++i] switch { 'n' => '\n', var c => c } : line[i]);
            }

            labels[name] = value.ToString();
            i++;
            if (line[i] == ',')
            {
                i++;
            }
        }

        return new Sample(line[..brace], labels, ParseValue(line[(i + 2)..]));
    }

    private static double ParseValue(string text) =>
        double.Parse(text.Split(' ')[0].Replace("+Inf", "Infinity", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
