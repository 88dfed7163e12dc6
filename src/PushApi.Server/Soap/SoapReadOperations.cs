using System.Security.Claims;
using PushApi.Core.Soql;
using PushApi.Server.Pipeline;
using static PushApi.Server.Soap.SoapElements;

namespace PushApi.Server.Soap;

/// <summary>retrieve, query, queryAll and queryMore through the SOQL engine, and the describe calls from the catalog.</summary>
public sealed class SoapReadOperations(SoqlEngine soql)
{
    public async Task<byte[]> RetrieveAsync(SoapCall call, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var type = FindType(Text(call.Body, "sObjectType"));
        var ids = Children(call.Body, "ids").Select(e => e.Value.Trim()).ToList();
        if (ids.Count > SoapService.MaxRetrieveIds)
        {
            throw new SoapFaultException(SoapFaultCodes.ExceededIdLimit, $"Too many ids: {ids.Count}; retrieve takes at most {SoapService.MaxRetrieveIds}.");
        }

        if (ids.FirstOrDefault(id => !Core.Ids.SalesforceId.TryParse(id, out _)) is { } malformed)
        {
            throw new SoapFaultException(SoapFaultCodes.MalformedId, $"malformed id {malformed}", "InvalidIdFault");
        }

        var fieldList = (Text(call.Body, "fieldList") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (fieldList.Length == 0)
        {
            throw SoapFaultCodes.Query(SoapFaultCodes.MalformedQuery, "fieldList is empty: name the fields to retrieve", 0, 0);
        }

        var records = await soql.RetrieveAsync(type, ids, fieldList, user.SoqlCaller(), cancellationToken);
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("retrieveResponse");
            foreach (var record in records)
            {
                if (record is null)
                {
                    w.Nil("result", call.Api.Namespace);
                }
                else
                {
                    w.WriteRecord("result", call.Api.Namespace, record);
                }
            }

            w.End();
        });
    }

    public async Task<byte[]> QueryAsync(SoapCall call, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var statement = Text(call.Body, "queryString") ?? throw SoapFaultCodes.Query(SoapFaultCodes.MalformedQuery, "queryString is missing", 0, 0);
        var batchSize = Math.Clamp(call.Headers.BatchSize ?? SoapService.DefaultBatchSize, SoqlEngine.MinBatchSize, SoqlEngine.MaxBatchSize);
        var result = await soql.QueryAsync(statement, user.SoqlCaller(), batchSize, cancellationToken);
        return QueryResponse(call, call.Operation + "Response", result);
    }

    public async Task<byte[]> QueryMoreAsync(SoapCall call, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await soql.QueryMoreAsync(Text(call.Body, "queryLocator") ?? "", user.SoqlCaller(), cancellationToken);
        return QueryResponse(call, "queryMoreResponse", result);
    }

    /// <summary>describeGlobal, describeSObject and describeSObjects.</summary>
    public static byte[] Describe(SoapCall call)
    {
        var types = call.Operation switch
        {
            "describeSObject" => [FindType(Text(call.Body, "sObjectType"))],
            "describeSObjects" => Children(call.Body, "sObjectType").Select(e => FindType(e.Value)).ToList(),
            _ => null,
        };
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start(call.Operation + "Response");
            if (types is null)
            {
                SoapDescribe.WriteGlobal(w);
            }
            else
            {
                foreach (var type in types)
                {
                    SoapDescribe.WriteSObject(w, type);
                }
            }

            w.End();
        });
    }

    private static byte[] QueryResponse(SoapCall call, string response, SoqlResult result) => SoapWriter.Render(call.Api, w =>
    {
        w.Start(response);
        w.WriteQueryResult(result);
        w.End();
    });
}
