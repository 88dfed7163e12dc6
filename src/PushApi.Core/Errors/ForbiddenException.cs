namespace PushApi.Core.Errors;

/// <summary>
/// The user may not do this to this record, whatever their permissions (native API: 403 with the
/// message and <see cref="ErrorCode"/>): approving a push they asked for themselves.
/// </summary>
public sealed class ForbiddenException : Exception
{
    public ForbiddenException()
        : this("You may not do this.")
    {
    }

    public ForbiddenException(string message)
        : this(message, "INSUFFICIENT_ACCESS")
    {
    }

    public ForbiddenException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = "INSUFFICIENT_ACCESS";
    }

    public ForbiddenException(string message, string errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public string ErrorCode { get; }
}
