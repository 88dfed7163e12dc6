using PushApi.Core.Push;

namespace PushApi.Server.Soap;

/// <summary>
/// The operations of the SOAP APIs, by name. The pipeline has authenticated the call, checked the
/// operation's permission and the request limit; each operation reads its request element, calls the
/// same Core services as REST, and renders its response envelope.
/// </summary>
public sealed class SoapService(SoapSessionOperations session, SoapWriteOperations writes, SoapReadOperations reads)
{
    public const int MaxRecordsPerCall = Core.Catalog.Describe.DescribeModel.MaxBatchSize;
    public const int MaxRetrieveIds = 2000;
    public const int DefaultBatchSize = 500;

    /// <summary>Runs the call; the bytes are the whole response envelope.</summary>
    public async Task<byte[]> ExecuteAsync(HttpContext context, SoapCall call, string version, CancellationToken cancellationToken) => call.Operation switch
    {
        "login" => await session.LoginAsync(context, call, version, cancellationToken),
        "logout" => await session.LogoutAsync(call.Api, context.User, cancellationToken),
        "getUserInfo" => await session.GetUserInfoAsync(call.Api, context.User, cancellationToken),
        "getServerTimestamp" => session.ServerTimestamp(call.Api),
        "create" => await writes.SaveAsync(call, context.User, WriteOperation.Create, cancellationToken),
        "update" => await writes.SaveAsync(call, context.User, WriteOperation.Update, cancellationToken),
        "upsert" => SoapWriteOperations.Upsert(call),
        "delete" => SoapWriteOperations.Delete(call),
        "retrieve" => await reads.RetrieveAsync(call, context.User, cancellationToken),
        "query" or "queryAll" => await reads.QueryAsync(call, context.User, cancellationToken),
        "queryMore" => await reads.QueryMoreAsync(call, context.User, cancellationToken),
        "describeGlobal" or "describeSObject" or "describeSObjects" => SoapReadOperations.Describe(call),
        _ => throw SoapFaultException.Client($"No operation available for request {{{call.Api.Namespace}}}{call.Operation}"),
    };
}
