using System.Globalization;

namespace PushApi.Benchmarks.Plotting;

/// <summary>
/// bench-push-timeline.png: two panels over the seconds since a push was set Pending — jobs finished a second
/// (P1's median push alone, and P8's push under interactive GETs), and the GETs' p99 per interval against
/// their idle p99.
/// </summary>
public static class TimelinePlot
{
    private const int Width = 1100;
    private const int Height = 780;
    private const int Left = 120;
    private const int Right = 30;

    /// <summary>The y axes reach this far above the highest value, so the legend (top right) sits above the lines.</summary>
    private const double Headroom = 1.45;
    private static readonly Rgb White = new(255, 255, 255);
    private static readonly Rgb Ink = new(30, 30, 30);
    private static readonly Rgb Grid = new(225, 225, 225);
    private static readonly Rgb Muted = new(110, 110, 110);
    private static readonly Rgb Alone = new(31, 119, 180);
    private static readonly Rgb Loaded = new(230, 110, 0);

    /// <summary>Draws the series that exist (either push may be missing in a partial run); false when there is nothing to draw.</summary>
    public static async Task<bool> WriteAsync(IReadOnlyList<PushSeries> series, string subtitle, string path)
    {
        var alone = series.Where(s => s.Id == "P1").OrderBy(s => s.Seconds).ToList() is { Count: > 0 } runs ? runs[(runs.Count - 1) / 2] : null;
        var loaded = series.FirstOrDefault(s => s.Id == "P8");
        if (alone is null && loaded is null)
        {
            return false;
        }

        var lines = new List<(PushSeries Series, Rgb Color)>();
        if (alone is not null)
        {
            lines.Add((alone, Alone));
        }

        if (loaded is not null)
        {
            lines.Add((loaded, Loaded));
        }

        var canvas = new PngCanvas(Width, Height, White);
        var jobs = lines[0].Series.Jobs;
        canvas.Text(20, 14, $"A {jobs.ToString("N0", CultureInfo.InvariantCulture)}-job push: without and with interactive load", Ink, scale: 3);
        canvas.Text(20, 46, subtitle, Muted);
        var seconds = Axis(lines.SelectMany(l => l.Series.Points).Select(p => p.T + (PushTimeline.IntervalSeconds / 2)).DefaultIfEmpty(1).Max());

        var top = new Panel(canvas, 110, 300, seconds, Axis(lines.SelectMany(l => l.Series.Points).Select(p => p.JobsPerSecond).DefaultIfEmpty(1).Max() * Headroom));
        top.Frame($"Jobs finished per second (per {PushTimeline.IntervalSeconds:0.0} s interval)", "jobs/s");
        var legend = new List<(string, Rgb, bool)>();
        foreach (var (line, color) in lines)
        {
            top.Series(line.Points.Select(p => (p.T, (double?)p.JobsPerSecond)).ToList(), color);
            legend.Add(($"{line.Label}: {line.Jobs / line.Seconds:N0} jobs/s overall, {line.Seconds:0.0} s", color, false));
        }

        top.Legend(legend);

        var p99s = loaded?.Points.Where(p => p.ApiP99Ms is not null).Select(p => p.ApiP99Ms!.Value).ToList() ?? [];
        var idle = loaded?.IdleP99Ms;
        var bottom = new Panel(canvas, 470, 230, seconds, Axis(p99s.Append(idle ?? 0).DefaultIfEmpty(1).Max() * Headroom));
        bottom.Frame($"API p99 of GET sobjects/PackagePushRequest/{{id}} (per {PushTimeline.IntervalSeconds:0.0} s interval)", "p99 ms");
        var bottomLegend = new List<(string, Rgb, bool)>();
        if (loaded is not null)
        {
            bottom.Series(loaded.Points.Select(p => (p.T, p.ApiP99Ms)).ToList(), Loaded);
            bottomLegend.Add(($"during the push (P8): {loaded.Points.Sum(p => p.ApiRequests):N0} GETs on 4 connections", Loaded, false));
        }

        if (idle is { } idleP99)
        {
            bottom.Horizontal(idleP99, Muted);
            bottomLegend.Add(($"idle, no push: p99 {idleP99:0.0} ms", Muted, true));
        }

        bottom.Legend(bottomLegend.Count > 0 ? bottomLegend : [("no interactive load in this run (P8 not run)", Muted, true)]);
        bottom.XLabel("seconds since the push was set Pending");
        await canvas.SaveAsync(path);
        return true;
    }

    /// <summary>A "nice" axis: its maximum (a multiple of the step) and step (1, 2 or 5 times a power of ten, about 5 ticks).</summary>
    private static (double Max, double Step) Axis(double max)
    {
        max = max > 0 ? max : 1;
        var raw = max / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (raw / power) switch { <= 1 => 1, <= 2 => 2, <= 5 => 5, _ => 10 } * power;
        return (Math.Ceiling(max / step) * step, step);
    }

    private static string Tick(double value, double step) =>
        value.ToString(step >= 1 ? "N0" : "0.##", CultureInfo.InvariantCulture);

    /// <summary>One panel: a plot area at (<see cref="Left"/>, top) with its axes, grid and legend.</summary>
    private sealed class Panel(PngCanvas canvas, int top, int height, (double Max, double Step) x, (double Max, double Step) y)
    {
        private readonly int _width = Width - Left - Right;

        public void Frame(string title, string yLabel)
        {
            canvas.Text(Left, top - 24, title, Ink);
            for (var value = 0.0; value <= y.Max + (y.Step / 2); value += y.Step)
            {
                var py = Y(value);
                canvas.Line(Left, py, Left + _width, py, Grid);
                var label = Tick(value, y.Step);
                canvas.Text(Left - 8 - PngCanvas.TextWidth(label, 2), (int)py - 7, label, Ink);
            }

            for (var value = 0.0; value <= x.Max + (x.Step / 2); value += x.Step)
            {
                var px = X(value);
                canvas.Line(px, top, px, top + height, Grid);
                var label = Tick(value, x.Step);
                canvas.Text((int)px - (PngCanvas.TextWidth(label, 2) / 2), top + height + 8, label, Ink);
            }

            canvas.Rectangle(Left, top, _width, height, Ink);
            canvas.Text(14, top + (height / 2) - (PngCanvas.TextWidth(yLabel, 2) / 2), yLabel, Ink, vertical: true);
        }

        public void XLabel(string label) =>
            canvas.Text(Left + (_width / 2) - (PngCanvas.TextWidth(label, 2) / 2), top + height + 32, label, Ink);

        /// <summary>A line through the points with a value (a missing one breaks it), and a dot on each.</summary>
        public void Series(List<(double T, double? Value)> points, Rgb color)
        {
            for (var i = 0; i < points.Count; i++)
            {
                if (points[i].Value is not { } value)
                {
                    continue;
                }

                canvas.FillRectangle((int)X(points[i].T) - 3, (int)Y(value) - 3, 7, 7, color);
                if (i + 1 < points.Count && points[i + 1].Value is { } next)
                {
                    canvas.Line(X(points[i].T), Y(value), X(points[i + 1].T), Y(next), color, thickness: 3);
                }
            }
        }

        public void Horizontal(double value, Rgb color) => canvas.Line(Left + 1, Y(value), Left + _width - 1, Y(value), color, thickness: 2, dash: 8);

        /// <summary>A boxed legend in the panel's top-right corner: a line sample (dashed or solid) and a label each.</summary>
        public void Legend(List<(string Label, Rgb Color, bool Dashed)> entries)
        {
            var boxWidth = entries.Max(e => PngCanvas.TextWidth(e.Label, 2)) + 70;
            var boxHeight = (entries.Count * 24) + 10;
            var left = Left + _width - boxWidth - 10;
            canvas.FillRectangle(left, top + 10, boxWidth, boxHeight, White);
            canvas.Rectangle(left, top + 10, boxWidth, boxHeight, Muted);
            for (var i = 0; i < entries.Count; i++)
            {
                var rowY = top + 22 + (i * 24);
                canvas.Line(left + 10, rowY + 6, left + 50, rowY + 6, entries[i].Color, thickness: 3, dash: entries[i].Dashed ? 6 : 0);
                canvas.Text(left + 60, rowY, entries[i].Label, Ink);
            }
        }

        private double X(double seconds) => Left + (seconds / x.Max * _width);

        private double Y(double value) => top + height - (value / y.Max * height);
    }
}
