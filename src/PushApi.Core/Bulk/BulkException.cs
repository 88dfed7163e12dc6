namespace PushApi.Core.Bulk;

/// <summary>How a refused Bulk API call is answered.</summary>
public enum BulkErrorKind
{
    /// <summary>The job, batch or result does not exist (404).</summary>
    NotFound,

    /// <summary>The request is wrong: bad input, or not allowed in the job's state (400).</summary>
    BadRequest,

    /// <summary>The upload is larger than a job accepts (413).</summary>
    TooLarge,

    /// <summary>The job is not in the state the call needs, e.g. results of a query job that is not complete (412).</summary>
    NotReady,
}

/// <summary>
/// A refused Bulk API call, with the error code its clients know (<c>INVALIDJOB</c>, <c>NOT_FOUND</c>,
/// <c>InvalidBatch</c> …). Bulk 2.0 renders it as a REST error array, Bulk 1.0 as an XML error.
/// </summary>
public sealed class BulkException : Exception
{
    public BulkException()
        : this(BulkErrorKind.BadRequest, "INVALIDJOB", "The Bulk API request was refused.")
    {
    }

    public BulkException(string message)
        : this(BulkErrorKind.BadRequest, "INVALIDJOB", message)
    {
    }

    public BulkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = BulkErrorKind.BadRequest;
        ErrorCode = "INVALIDJOB";
    }

    public BulkException(BulkErrorKind kind, string errorCode, string message)
        : base(message)
    {
        Kind = kind;
        ErrorCode = errorCode;
    }

    public BulkErrorKind Kind { get; }

    public string ErrorCode { get; }
}
