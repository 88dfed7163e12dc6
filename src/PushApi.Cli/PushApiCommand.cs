using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.Json;
using PushApi.Cli.Control;
using PushApi.Cli.Deploy;
using PushApi.Cli.Failures;
using PushApi.Cli.Login;
using PushApi.Cli.Packages;
using PushApi.Cli.Tenants;
using PushApi.Cli.Watch;

namespace PushApi.Cli;

/// <summary>
/// The <c>pushapi</c> command: its subcommands, and the one place where anything that goes wrong becomes one line on
/// standard error and an exit code (<see cref="ExitCodes"/>), never a stack trace.
/// </summary>
public static class PushApiCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("pushapi — operate a PushApi server: log in, import tenants, move package ZIPs, deploy and follow pushes.")
        {
            CommonOptions.Url,
            CommonOptions.Json,
        };
        root.Subcommands.Add(LoginCommand.Create());
        root.Subcommands.Add(TenantsCommand.Create());
        root.Subcommands.Add(PackagesCommand.Create());
        root.Subcommands.Add(DeployCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(FailuresCommand.Create());
        foreach (var command in ControlCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var json = args.Contains("--json");
        try
        {
            var parse = Create().Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
            {
                // An unknown word explains more than the missing command it leaves behind.
                var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
                return Fail(json, ExitCodes.Usage, $"{error.Message.TrimEnd('.')}; see: {CommandPath(parse.CommandResult)} --help");
            }

            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            return Fail(json, e.ExitCode, e.Message);
        }
        catch (OperationCanceledException)
        {
            return Fail(json, ExitCodes.Interrupted, "Interrupted; nothing more was sent to the server.");
        }
#pragma warning disable CA1031 // The promise is one line and an exit code, whatever fails.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Fail(json, ExitCodes.Unexpected, $"Unexpected error ({e.GetType().Name}: {Api.ApiErrors.OneLine(e.Message)}); please report it with the command you ran.");
        }
    }

    private static int Fail(bool json, int exitCode, string message)
    {
        Console.Error.WriteLine(json
            ? JsonSerializer.Serialize(new { error = message, exitCode })
            : "pushapi: " + Api.ApiErrors.OneLine(message));
        return exitCode;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? at = result; at is not null; at = at.Parent)
        {
            if (at is CommandResult command)
            {
                names.Insert(0, command.Parent is null ? "pushapi" : command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
