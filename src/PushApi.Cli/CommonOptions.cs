using System.CommandLine;

namespace PushApi.Cli;

/// <summary>Options every command takes: where the server is and whether to answer in JSON.</summary>
public static class CommonOptions
{
    public static readonly Option<string?> Url = new("--url")
    {
        Description = "The server's address, e.g. http://127.0.0.1:5080 (default: PUSHAPI_URL, else the one you logged in to)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print JSON for scripts instead of tables and progress bars",
        Recursive = true,
    };
}
