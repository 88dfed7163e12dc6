using System.Text.Json;

namespace PushApi.Cli.Configuration;

/// <summary>
/// The config file, <c>config.json</c> in <c>$PUSHAPI_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/pushapi</c>, else
/// <c>~/.config/pushapi</c>. It holds a token, so the directory is 700 and the file 600, written whole or not at all.
/// </summary>
public static class ConfigStore
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    public static string Directory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("PUSHAPI_CONFIG_DIR") is { Length: > 0 } explicitDirectory)
            {
                return Path.GetFullPath(explicitDirectory);
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".config") : xdg, "pushapi");
        }
    }

    public static string FilePath => Path.Combine(Directory, "config.json");

    /// <summary>The stored login, or null when there is none.</summary>
    public static CliConfig? Load()
    {
        string text;
        try
        {
            text = File.ReadAllText(FilePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.FileProblem, $"Cannot read {FilePath} ({e.Message}); fix its permissions or run pushapi login again.");
        }

        try
        {
            return JsonSerializer.Deserialize<CliConfig>(text, CliConfig.Json) is { Url.Length: > 0, Token.Length: > 0 } config ? config : null;
        }
        catch (JsonException)
        {
            throw new CliException(ExitCodes.NotLoggedIn, $"{FilePath} is not a pushapi config file; run pushapi login again.");
        }
    }

    public static void Save(CliConfig config)
    {
        var directory = Directory;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(directory, OwnerOnlyDirectory);
                File.SetUnixFileMode(directory, OwnerOnlyDirectory);
            }

            // A new file made with mode 600 from the start, then moved over the old one: the token is never readable by others.
            var temporary = Path.Combine(directory, $".config.{Environment.ProcessId}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile;
            }

            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, config, CliConfig.Json);
            }

            File.Move(temporary, FilePath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.FileProblem, $"Cannot write {FilePath} ({e.Message}); set PUSHAPI_CONFIG_DIR to a directory you can write.");
        }
    }
}
