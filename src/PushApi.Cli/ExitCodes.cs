namespace PushApi.Cli;

/// <summary>What pushapi's exit code says, one code per kind of outcome (docs/cli.md lists them).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The work finished, but not all of it succeeded: a push with failed or canceled jobs, halted or canceled; an import with failed rows.</summary>
    public const int NotAllSucceeded = 1;

    /// <summary>The command line is wrong: unknown command or option, a missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>The server can't be reached at the URL, or what answers is not PushApi.</summary>
    public const int Unreachable = 3;

    /// <summary>Not logged in, or the server refused the token or the credentials.</summary>
    public const int NotLoggedIn = 4;

    /// <summary>A file to read is missing or unreadable, or a file to write can't be written.</summary>
    public const int FileProblem = 5;

    /// <summary>The server refused the request (a 4xx answer other than 401), with its reason.</summary>
    public const int Refused = 6;

    /// <summary>The server failed (5xx) or answered something pushapi could not read.</summary>
    public const int ServerError = 7;

    /// <summary>A fault in pushapi itself; the line says what happened.</summary>
    public const int Unexpected = 9;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}

/// <summary>An outcome that ends the command with one line of advice and its exit code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
