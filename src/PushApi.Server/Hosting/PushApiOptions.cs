namespace PushApi.Server.Hosting;

/// <summary>The <c>PushApi</c> configuration section (environment: <c>PushApi__…</c>).</summary>
public sealed class PushApiOptions
{
    public const string Section = "PushApi";

    /// <summary>Where the embedded database, the TLS certificate and the generated admin password live.</summary>
    public string DataDirectory { get; set; } = ".pushapi";

    public BootstrapOptions Bootstrap { get; set; } = new();

    public DemoOptions Demo { get; set; } = new();

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
