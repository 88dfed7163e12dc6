using System.Security.Cryptography;

namespace PushApi.Core.Ids;

/// <summary>Base-62 digits in ASCII order (0-9, A-Z, a-z), so equal-length strings sort like their numbers.</summary>
public static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Encode(long value, int width)
    {
        Span<char> digits = stackalloc char[width];
        Write(value, digits);
        return new string(digits);
    }

    /// <summary>Writes <paramref name="value"/> into all of <paramref name="digits"/>, zero-padded.</summary>
    public static void Write(long value, Span<char> digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }

        if (value != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The value does not fit the width.");
        }
    }

    public static bool TryDecode(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        foreach (var c in digits)
        {
            var digit = DigitOf(c);
            if (digit < 0 || value > (long.MaxValue - digit) / 62)
            {
                value = 0;
                return false;
            }

            value = (value * 62) + digit;
        }

        return true;
    }

    /// <summary>Random base-62 text from a cryptographic source.</summary>
    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    public static bool IsAlphanumeric(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int DigitOf(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        >= 'a' and <= 'z' => c - 'a' + 36,
        _ => -1,
    };
}
