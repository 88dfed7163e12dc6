namespace PushApi.Server.Pipeline;

/// <summary>Which front end a path belongs to, by its prefix: the label of request logs and request metrics.</summary>
public static class FrontEnds
{
    public const string Rest = "rest";
    public const string Soap = "soap";
    public const string Bulk = "bulk";
    public const string Auth = "auth";
    public const string Native = "native";
    public const string Agent = "agent";
    public const string Console = "console";
    public const string Probe = "probe";
    public const string Other = "other";

    public static string Of(PathString path)
    {
        var p = path.Value ?? "";
        return p switch
        {
            _ when Starts(p, "/services/Soap") => Soap,
            _ when Starts(p, "/services/async") || p.Contains("/jobs/", StringComparison.OrdinalIgnoreCase) && Starts(p, "/services/data") => Bulk,
            _ when Starts(p, "/services/oauth2") => Auth,
            _ when Starts(p, "/services/data") => Rest,
            _ when Starts(p, "/api/v1/agent") => Agent,
            _ when Starts(p, "/api") => Native,
            _ when Starts(p, "/health") || Starts(p, "/metrics") => Probe,
            _ when Starts(p, "/monitor") || Starts(p, "/swagger") || p == "/" || p == "/favicon.ico" => Console,
            _ => Other,
        };
    }

    private static bool Starts(string path, string prefix) => path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
}
