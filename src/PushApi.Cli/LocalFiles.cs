namespace PushApi.Cli;

/// <summary>Files the user names: a missing or unreadable one ends the command with exit code 5 and the path.</summary>
public static class LocalFiles
{
    public static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException(ExitCodes.FileProblem, $"File not found: {path}; check the path.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException(ExitCodes.FileProblem, $"Cannot read {path} ({e.Message}); check the path and its permissions.");
        }
    }

    /// <summary>Fails early (before any network call) when the file can't be read.</summary>
    public static void MustBeReadable(string path) => OpenRead(path).Dispose();

    public static string[] ReadLines(string path)
    {
        using var stream = OpenRead(path);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n');
    }

    public static FileStream Create(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException(ExitCodes.FileProblem, $"Cannot write {path} ({e.Message}); choose another path with --output.");
        }
    }
}
