using Npgsql;

namespace PushApi.Server.Database;

/// <summary>
/// <c>&lt;data dir&gt;/connection</c>: how to reach the embedded cluster, as one PostgreSQL connection URI that libpq's tools
/// take as they are (<c>pg_dump -Fc -f backup.dump "$(cat &lt;data dir&gt;/connection)"</c>, <c>psql</c>, <c>pg_restore -d</c>).
/// Rewritten at every start (the port is chosen then) and readable by the service's user only: it holds the password.
/// </summary>
public static class ConnectionFile
{
    public const string FileName = "connection";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>Writes the file with mode 600 (created with it, so the password is never readable by others).</summary>
    public static void Write(string dataDirectory, string connectionString)
    {
        var path = PathIn(dataDirectory);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.WriteLine(ToUri(connectionString));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite); // a leftover .tmp kept its old mode
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary><c>postgresql://user:password@host:port/database</c>, each part percent-encoded.</summary>
    public static string ToUri(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var credentials = Uri.EscapeDataString(builder.Username ?? "")
            + (string.IsNullOrEmpty(builder.Password) ? "" : ":" + Uri.EscapeDataString(builder.Password));
        return $"postgresql://{credentials}@{builder.Host}:{builder.Port}/{Uri.EscapeDataString(builder.Database ?? "")}";
    }
}
