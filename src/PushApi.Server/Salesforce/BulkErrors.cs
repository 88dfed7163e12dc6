using PushApi.Core.Bulk;

namespace PushApi.Server.Salesforce;

/// <summary>The HTTP status of a refused Bulk API call, for both Bulk APIs' error shapes.</summary>
public static class BulkErrors
{
    public static int Status(BulkErrorKind kind) => kind switch
    {
        BulkErrorKind.NotFound => StatusCodes.Status404NotFound,
        BulkErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        BulkErrorKind.NotReady => StatusCodes.Status412PreconditionFailed,
        _ => StatusCodes.Status400BadRequest,
    };
}
