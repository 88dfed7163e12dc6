using PushApi.Cli.Deploy;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PushApi.Cli.Watch;

/// <summary>What <c>pushapi watch</c> shows on a terminal: the status, a bar of the jobs by outcome, and the pace.</summary>
public static class LiveView
{
    public static IRenderable Render(DeploymentState state, TimeSpan elapsed)
    {
        var percent = state.Total == 0 ? (state.Ended ? 100 : 0) : state.Done * 100 / state.Total;
        var title = new Markup($"[bold]{Markup.Escape(state.Id)}[/] {Markup.Escape(state.Status)} — {ReportView.N(state.Done)}/{ReportView.N(state.Total)} jobs done ({percent} %)");
        var bar = new BreakdownChart().FullSize()
            .AddItem("Succeeded", state.Succeeded, Color.Green)
            .AddItem("Failed", state.Failed, Color.Red)
            .AddItem("Canceled", state.Canceled, Color.Grey)
            .AddItem("Remaining", Math.Max(state.Total - state.Done, state.Total == 0 ? 1 : 0), Color.Blue);
        var basis = state.Estimate.ValueKind == System.Text.Json.JsonValueKind.Object && Api.JsonAccess.Text(state.Estimate, "basis") is { } b ? $" ({b})" : string.Empty;
        var pace = new Markup(Markup.Escape((state.Pace.Length > 0 ? state.Pace + basis : "no estimate yet") + $" · watching for {elapsed:hh\\:mm\\:ss}"));
        return new Rows(title, bar, pace);
    }
}
