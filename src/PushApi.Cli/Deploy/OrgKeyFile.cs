namespace PushApi.Cli.Deploy;

/// <summary>A file of org keys: one a line, or the first column of a CSV; blank lines, # comments and a header are skipped.</summary>
public static class OrgKeyFile
{
    public static IReadOnlyList<string> Read(string path)
    {
        var keys = LocalFiles.ReadLines(path)
            .Select(line => line.Split(',')[0].Trim().Trim('"'))
            .Where(key => key.Length > 0 && !key.StartsWith('#') && !key.Equals("orgKey", StringComparison.OrdinalIgnoreCase))
            .ToList();
        return keys.Count > 0 ? keys : throw new CliException(ExitCodes.FileProblem, $"{path} holds no org keys; put one a line.");
    }
}
