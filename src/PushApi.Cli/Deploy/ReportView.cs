using System.Globalization;
using System.Text.Json;
using PushApi.Cli.Api;
using PushApi.Cli.Terminal;
using Spectre.Console;

namespace PushApi.Cli.Deploy;

/// <summary>A deployment's eligibility report as tables: counts, who is left out and why, waves, and the run-time estimate.</summary>
public static class ReportView
{
    private const int LeftOutShown = 20;

    public static void Show(Output output, JsonElement answer)
    {
        var report = answer.Child("report");
        var counts = new Table().Title("Eligibility").AddColumn("Tenants").AddColumn(new TableColumn("Count").RightAligned());
        counts.AddRow("Targeted", N(report.Whole("targeted")));
        counts.AddRow("[green]Eligible[/]", N(report.Whole("eligible")));
        if (report.Child("leftOutByReason") is { ValueKind: JsonValueKind.Object } reasons)
        {
            foreach (var reason in reasons.EnumerateObject().Where(r => r.Value.GetInt32() > 0).OrderByDescending(r => r.Value.GetInt32()))
            {
                counts.AddRow($"Left out: {Markup.Escape(reason.Name)}", N(reason.Value.GetInt32()));
            }
        }

        output.Write(counts);
        var leftOut = report.Items("leftOut").ToList();
        if (leftOut.Count > 0)
        {
            var table = new Table().Title("Left out").AddColumns("Org key", "Reason", "Why");
            foreach (var org in leftOut.Take(LeftOutShown))
            {
                table.AddRow(Markup.Escape(org.Text("orgKey") ?? ""), Markup.Escape(org.Text("reason") ?? ""), Markup.Escape(org.Text("message") ?? ""));
            }

            output.Write(table);
            if (leftOut.Count > LeftOutShown)
            {
                output.Line($"… and {N(leftOut.Count - LeftOutShown)} more left out (--json lists them all).");
            }
        }

        ShowWaves(output, answer);
        output.Line(Estimate(answer.Child("estimate")));
    }

    private static void ShowWaves(Output output, JsonElement answer)
    {
        var waves = answer.Items("waves").ToList();
        if (waves.Count == 0)
        {
            return;
        }

        var table = new Table().Title("Waves").AddColumns("Wave", "Tenants", "Request");
        foreach (var wave in waves)
        {
            table.AddRow(Markup.Escape(wave.Text("name") ?? ""), N(wave.Whole("orgs")), Markup.Escape(wave.Text("requestId") ?? "-"));
        }

        output.Write(table);
    }

    /// <summary>The server's estimate in one line (basis: live, history:…, finished or none).</summary>
    public static string Estimate(JsonElement estimate)
    {
        var basis = estimate.Text("basis");
        if (estimate.ValueKind != JsonValueKind.Object || basis is null or "none")
        {
            return "Estimate: none yet (no finished push of this kind to learn from).";
        }

        var rate = estimate.Real("jobsPerSecond") is { } perSecond ? $"{perSecond:0.#} jobs/s" : "rate unknown";
        var end = estimate.Time("expectedEnd") is { } at ? $"ends about {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "end unknown";
        return $"Estimate: {end}, {rate} ({basis}).";
    }

    public static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
