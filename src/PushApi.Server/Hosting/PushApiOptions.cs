namespace PushApi.Server.Hosting;

/// <summary>The <c>PushApi</c> configuration section (environment: <c>PushApi__…</c>).</summary>
public sealed class PushApiOptions
{
    public const string Section = "PushApi";

    /// <summary>Where the embedded database, the TLS certificate and the generated admin password live.</summary>
    public string DataDirectory { get; set; } = ".pushapi";

    public BootstrapOptions Bootstrap { get; set; } = new();

    public DemoOptions Demo { get; set; } = new();

    /// <summary>
    /// The service's address as others reach it (tenants' agents download packages from it, mails link to it),
    /// e.g. <c>https://push.example.com</c>. Unset: the address the server listens on (see <see cref="PublicAddress"/>).
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Whether <paramref name="url"/> can be <see cref="PublicUrl"/>: an absolute http or https URL without a query or fragment.</summary>
    public static bool IsValidPublicUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    /// <summary>The data directory as an absolute path (relative paths are taken from the working directory).</summary>
    public string DataDirectoryPath => Path.GetFullPath(DataDirectory);
}

/// <summary>An administrator created (or reset) at start-up.</summary>
public sealed class BootstrapOptions
{
    public string? Username { get; set; }

    public string? Password { get; set; }
}

public sealed class DemoOptions
{
    /// <summary>Subscriber orgs to seed on an empty database; 0 seeds nothing.</summary>
    public int Subscribers { get; set; }
}
