using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PushApi.LocalPostgres;

/// <summary>The outcome of a finished child process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => (StandardOutput + Environment.NewLine + StandardError).Trim();
}

/// <summary>
/// Runs the PostgreSQL programs. PostgreSQL refuses to run as root, so as root every command runs as
/// the <c>postgres</c> user through <c>runuser</c>.
/// </summary>
internal static partial class ProcessRunner
{
    public const string ServiceAccount = "postgres";

    public static bool IsRoot { get; } = OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    public static ProcessResult Run(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        start.Environment["LANG"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            throw new TimeoutException($"{Path.GetFileName(fileName)} did not finish within {timeout.TotalSeconds:0} s.");
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Runs a PostgreSQL program as the account that owns the cluster.</summary>
    public static ProcessResult RunAsServiceAccount(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        if (!IsRoot)
        {
            return Run(program, arguments, timeout);
        }

        return Run("runuser", ["-u", ServiceAccount, "--", program, .. arguments], timeout);
    }

    /// <summary>Whether the service account can enter (and, if asked, write) a directory.</summary>
    public static bool ServiceAccountCanUse(string directory)
    {
        if (!IsRoot)
        {
            return true;
        }

        var result = Run("runuser", ["-u", ServiceAccount, "--", "test", "-x", directory, "-a", "-w", directory], TimeSpan.FromSeconds(10));
        return result.ExitCode == 0;
    }

    /// <summary>Gives a directory tree to the service account (as root only).</summary>
    public static void GiveToServiceAccount(string path)
    {
        if (!IsRoot)
        {
            return;
        }

        var result = Run("chown", ["-R", $"{ServiceAccount}:", path], TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"Could not give {path} to the '{ServiceAccount}' user: {result.Output}");
        }
    }

    public static void EnsureServiceAccountExists()
    {
        if (!IsRoot)
        {
            return;
        }

        var result = Run("id", ["-u", ServiceAccount], TimeSpan.FromSeconds(10));
        if (result.ExitCode != 0)
        {
            throw new PostgresNotFoundException(
                $"Running as root, PushApi starts PostgreSQL as the '{ServiceAccount}' user, which does not exist: " +
                "install the postgresql package (it creates the user), run as a normal user, or set ConnectionStrings__PushApi.");
        }
    }

    private static uint GetEffectiveUserId()
    {
        try
        {
            return NativeMethods.geteuid();
        }
        catch (DllNotFoundException)
        {
            return uint.MaxValue;
        }
        catch (EntryPointNotFoundException)
        {
            return uint.MaxValue;
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "geteuid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial uint geteuid();
    }
}
