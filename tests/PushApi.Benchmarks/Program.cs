using System.Globalization;
using PushApi.Benchmarks;

// dotnet run -c Release --project tests/PushApi.Benchmarks -- [--quick | --smoke] [--only P1,P3] [--out bench-results.json]
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

var options = BenchOptions.Parse(args);
await using var bench = await Bench.StartAsync(options);
var results = await Scenarios.RunAsync(bench, options);
Report.Print(results, options);
await Report.WriteJsonAsync(results, options);
return results.Any(r => r.Error is not null) ? 2 : 0;
