using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PushApi.Core.Identity;

/// <summary>
/// PBKDF2-SHA256 password hashes stored as <c>pbkdf2-sha256$iterations$salt$hash</c>, so the cost can
/// rise later without invalidating older hashes.
/// </summary>
public static class PasswordHasher
{
    public const int DefaultIterations = 100_000;
    private const string Scheme = "pbkdf2-sha256";

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string? stored)
    {
        var parts = stored?.Split('$');
        if (parts is not [Scheme, var iterationText, var saltText, var hashText]
            || !int.TryParse(iterationText, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < 1 or > 10_000_000)
        {
            return false;
        }

        try
        {
            var expected = Convert.FromBase64String(hashText);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(saltText), iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Spends the time of a verification, so unknown users answer as slowly as wrong passwords.</summary>
    public static void SpendVerificationTime(string password) =>
        _ = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), new byte[16], DefaultIterations, HashAlgorithmName.SHA256, 32);

    /// <summary>A random password for generated accounts: 20 base-62 characters.</summary>
    public static string GeneratePassword() => Ids.Base62.Random(20);
}
