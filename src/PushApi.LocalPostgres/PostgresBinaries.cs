using System.Globalization;
using System.Text.RegularExpressions;

namespace PushApi.LocalPostgres;

/// <summary>The PostgreSQL server programs (initdb, pg_ctl) found on this machine.</summary>
public sealed partial class PostgresBinaries
{
    /// <summary>The oldest major version PushApi runs on.</summary>
    public const int MinimumMajorVersion = 14;

    private PostgresBinaries(string binDirectory, int majorVersion)
    {
        BinDirectory = binDirectory;
        MajorVersion = majorVersion;
    }

    public string BinDirectory { get; }

    public int MajorVersion { get; }

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    /// <summary>
    /// Finds initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin, preferring the newest
    /// version; throws <see cref="PostgresNotFoundException"/> with a one-line remedy otherwise.
    /// </summary>
    public static PostgresBinaries Locate() => Locate(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    /// <summary>Finds the binaries on the given search path or under <paramref name="packageRoot"/>/*/bin.</summary>
    public static PostgresBinaries Locate(string searchPath, string packageRoot)
    {
        var candidates = new List<string>();
        foreach (var dir in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (File.Exists(initdb))
            {
                candidates.Add(Path.GetDirectoryName(ResolveLinks(initdb))!);
            }
        }

        if (Directory.Exists(packageRoot))
        {
            candidates.AddRange(Directory.GetDirectories(packageRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))));
        }

        var found = candidates
            .Distinct(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "postgres")))
            .Select(d => new PostgresBinaries(d, ReadMajorVersion(Path.Combine(d, "initdb"))))
            .Where(b => b.MajorVersion >= MinimumMajorVersion)
            .OrderByDescending(b => b.MajorVersion)
            .FirstOrDefault();

        return found ?? throw new PostgresNotFoundException(
            $"PostgreSQL {MinimumMajorVersion}+ server binaries (initdb, pg_ctl) were not found on PATH or under {packageRoot}/*/bin: " +
            "install them (e.g. 'apt-get install postgresql') or point PushApi at a running server with ConnectionStrings__PushApi " +
            "(tests: PUSHAPI_TEST_POSTGRES).");
    }

    private static string ResolveLinks(string path)
    {
        var info = new FileInfo(path);
        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
    }

    private static int ReadMajorVersion(string initdb)
    {
        try
        {
            var result = ProcessRunner.Run(initdb, ["--version"], TimeSpan.FromSeconds(10));
            var match = VersionPattern().Match(result.StandardOutput);
            return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return 0;
        }
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}

/// <summary>No usable PostgreSQL installation; the message says how to fix it.</summary>
public sealed class PostgresNotFoundException : Exception
{
    public PostgresNotFoundException()
    {
    }

    public PostgresNotFoundException(string message)
        : base(message)
    {
    }

    public PostgresNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
