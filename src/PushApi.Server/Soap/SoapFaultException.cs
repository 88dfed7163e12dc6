namespace PushApi.Server.Soap;

/// <summary>
/// A SOAP fault: HTTP 500 with <c>faultcode</c> <c>sf:CODE</c>, <c>faultstring</c> <c>CODE: message</c>
/// and the typed fault (<see cref="FaultType"/>) in <c>detail</c>. Faults about the envelope itself
/// (not SOAP 1.1, not XML) use the SOAP codes <c>soapenv:Client</c> or <c>soapenv:VersionMismatch</c>
/// and have no detail.
/// </summary>
public sealed class SoapFaultException : Exception
{
    public SoapFaultException()
        : this(SoapFaultCodes.UnknownException, "An unexpected error occurred.")
    {
    }

    public SoapFaultException(string message)
        : this(SoapFaultCodes.UnknownException, message)
    {
    }

    public SoapFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExceptionCode = SoapFaultCodes.UnknownException;
        FaultType = "UnexpectedErrorFault";
    }

    public SoapFaultException(string exceptionCode, string message, string faultType = "UnexpectedErrorFault", int? row = null, int? column = null)
        : base(message)
    {
        ExceptionCode = exceptionCode;
        FaultType = faultType;

        // ApiQueryFault subtypes always carry row and column; -1 when the problem has no place in the text.
        var queryFault = faultType is "MalformedQueryFault" or "InvalidFieldFault" or "InvalidSObjectFault";
        Row = queryFault ? (row is > 0 ? row : -1) : null;
        Column = queryFault ? (row is > 0 ? column ?? -1 : -1) : null;
    }

    /// <summary>The <c>ExceptionCode</c> (INVALID_SESSION_ID, MALFORMED_QUERY…), or a SOAP envelope code when <see cref="EnvelopeFault"/>.</summary>
    public string ExceptionCode { get; }

    /// <summary>The fault element of <c>detail</c>: UnexpectedErrorFault, LoginFault, MalformedQueryFault…</summary>
    public string FaultType { get; }

    /// <summary>For query faults (ApiQueryFault), where in the statement; -1 when nowhere in particular.</summary>
    public int? Row { get; }

    public int? Column { get; }

    /// <summary>A fault about the envelope (soapenv:Client or soapenv:VersionMismatch), without a typed detail.</summary>
    public bool EnvelopeFault { get; private init; }

    /// <summary>The request is not a SOAP 1.1 envelope PushApi can read.</summary>
    public static SoapFaultException Client(string message) => new("Client", message) { EnvelopeFault = true };

    /// <summary>A SOAP 1.2 (or other) envelope: SOAP 1.1's VersionMismatch.</summary>
    public static SoapFaultException VersionMismatch(string message) => new("VersionMismatch", message) { EnvelopeFault = true };
}

/// <summary>The ExceptionCode values PushApi raises, and the fault types that carry them.</summary>
public static class SoapFaultCodes
{
    public const string InvalidSessionId = "INVALID_SESSION_ID";
    public const string InvalidLogin = "INVALID_LOGIN";
    public const string MalformedQuery = "MALFORMED_QUERY";
    public const string InvalidField = "INVALID_FIELD";
    public const string InvalidType = "INVALID_TYPE";
    public const string InvalidQueryFilterOperator = "INVALID_QUERY_FILTER_OPERATOR";
    public const string InvalidQueryLocator = "INVALID_QUERY_LOCATOR";
    public const string MalformedId = "MALFORMED_ID";
    public const string ExceededIdLimit = "EXCEEDED_ID_LIMIT";
    public const string RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED";
    public const string InsufficientAccess = "INSUFFICIENT_ACCESS";
    public const string InvalidOperation = "INVALID_OPERATION";
    public const string UnknownException = "UNKNOWN_EXCEPTION";
    public const string ServerUnavailable = "SERVER_UNAVAILABLE";
    public const string UnsupportedApiVersion = "UNSUPPORTED_API_VERSION";

    /// <summary>Every ExceptionCode the WSDL's enumeration lists (what PushApi can send).</summary>
    public static readonly IReadOnlyList<string> All =
    [
        ExceededIdLimit, InsufficientAccess, InvalidField, InvalidLogin, InvalidOperation, InvalidQueryFilterOperator,
        InvalidQueryLocator, InvalidSessionId, InvalidType, MalformedId, MalformedQuery, RequestLimitExceeded, ServerUnavailable, UnknownException,
        UnsupportedApiVersion,
    ];

    public static SoapFaultException InvalidSession() =>
        new(InvalidSessionId, "Invalid Session ID found in SessionHeader: Illegal Session");

    /// <summary>The fault of a query problem: the typed fault of its code, with the position when known.</summary>
    public static SoapFaultException Query(string code, string message, int row, int column)
    {
        var faultType = code switch
        {
            MalformedQuery => "MalformedQueryFault",
            InvalidField => "InvalidFieldFault",
            InvalidType => "InvalidSObjectFault",
            InvalidQueryLocator => "InvalidQueryLocatorFault",
            _ => "UnexpectedErrorFault",
        };
        return new SoapFaultException(code, message, faultType, row, column);
    }
}
