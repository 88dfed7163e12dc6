using System.Globalization;
using PushApi.Benchmarks;

// dotnet run -c Release --project tests/PushApi.Benchmarks -- [--quick | --smoke] [--only P1,P3] [--out bench-results.json] [--plot timeline.png] [--profile]
//   [--scale 1m]   (opt-in: P18, one million tenants, measured at 100k and at 1M; without it P18 does not run)
// dotnet run -c Release --project tests/PushApi.Benchmarks -- --plot-from bench-results.json [--plot timeline.png]   (the plot again, from a run's JSON)
// (--control-server <port> <connection string> is the harness starting its own baseline endpoint; --abuser … its P17 load generator.)
if (args.Length >= 3 && args[0] == "--control-server")
{
    await ControlServer.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args[2]);
    return 0;
}

if (args.Length >= 8 && args[0] == "--abuser")
{
    await Abuser.RunAsync(args[1..]);
    return 0;
}

if (args.Length >= 2 && args[0] == "--plot-from")
{
    return await Report.PlotFromJsonAsync(args[1], BenchOptions.PlotPathOf(args, args[1])) ? 0 : 1;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

await using var bench = await Bench.StartAsync(options);
var run = await Scenarios.RunAsync(bench, options);
Report.Print(run, options);
await Report.WriteJsonAsync(run, options);
await Report.PlotAsync(run.Series, Report.Subtitle(options.Mode, TimeProvider.System.GetUtcNow(), Environment.ProcessorCount), options.PlotPath);
return run.Results.Any(r => r.Error is not null) ? 2 : 0;
