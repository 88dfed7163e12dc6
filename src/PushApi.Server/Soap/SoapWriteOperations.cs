using System.Security.Claims;
using System.Xml.Linq;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Server.Pipeline;
using static PushApi.Server.Soap.SoapElements;

namespace PushApi.Server.Soap;

/// <summary>
/// create and update through the DML service (problems with a record are SaveResult errors, not
/// faults), and upsert and delete, which no push object supports: every record fails and says why.
/// </summary>
public sealed class SoapWriteOperations(DmlService dml)
{
    public async Task<byte[]> SaveAsync(SoapCall call, ClaimsPrincipal user, WriteOperation operation, CancellationToken cancellationToken)
    {
        var records = Children(call.Body, "sObjects").ToList();
        CheckRecordLimit(records.Count);
        var parsed = records.Select(r => ReadSObject(call.Api, r)).ToList();
        var types = parsed.Select(p => p.Type).Distinct().ToList();
        if (types.Count > 1)
        {
            throw new SoapFaultException(SoapFaultCodes.InvalidOperation, "PushApi takes records of one object per create or update call; send " + string.Join(" and ", types.Select(t => t.Name)) + " in separate calls.");
        }

        var results = parsed.Count == 0
            ? []
            : operation == WriteOperation.Create
                ? await dml.CreateAsync(types[0], [.. parsed.Select(p => p.Fields)], call.Headers.AllOrNone, user.UserId(), cancellationToken)
                : await dml.UpdateAsync(types[0], [.. parsed.Select(p => p.Fields)], call.Headers.AllOrNone, user.UserId(), cancellationToken);
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start(operation == WriteOperation.Create ? "createResponse" : "updateResponse");
            foreach (var result in results)
            {
                w.WriteSaveResult(result);
            }

            w.End();
        });
    }

    /// <summary>Upsert needs an external id field, and no push object has one: every record fails, and says so.</summary>
    public static byte[] Upsert(SoapCall call)
    {
        var records = Children(call.Body, "sObjects").ToList();
        CheckRecordLimit(records.Count);
        var field = Text(call.Body, "externalIDFieldName") ?? "";
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("upsertResponse");
            foreach (var _ in records)
            {
                w.WriteUpsertResult(SaveResult.Failed([new SaveError(
                    ErrorCodes.InvalidOperation,
                    $"upsert is not available for push objects (no external id field, '{field}' included); use create to add records and update to change them")]));
            }

            w.End();
        });
    }

    /// <summary>No push object can be deleted: a DeleteResult error per id.</summary>
    public static byte[] Delete(SoapCall call)
    {
        var ids = Children(call.Body, "ids").Select(e => e.Value.Trim()).ToList();
        CheckRecordLimit(ids.Count);
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("deleteResponse");
            foreach (var id in ids)
            {
                var type = SalesforceId.TryParse(id, out var parsed) ? SObjectCatalog.FindByKeyPrefix(parsed.Prefix) : null;
                w.WriteSaveResult(SaveResult.Failed([type is null
                    ? new SaveError(ErrorCodes.MalformedId, $"malformed id {id}")
                    : new SaveError("CANNOT_DELETE_ENTITY", $"entity type {type.Name} cannot be deleted")]));
            }

            w.End();
        });
    }

    /// <summary>An sObject of a create or update: its type (xsi:type, or the partner API's type element) and its fields as text; fieldsToNull become nulls.</summary>
    private static (SObjectDescriptor Type, Dictionary<string, object?> Fields) ReadSObject(SoapApi api, XElement element)
    {
        var type = FindType(TypeName(api, element) is { Length: > 0 } typeName
            ? typeName
            : throw new SoapFaultException(SoapFaultCodes.InvalidType, "Must send a concrete entity type.", "InvalidSObjectFault"));
        var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in element.Elements())
        {
            var name = child.Name.LocalName;
            if (!api.Typed && name == "type")
            {
                continue;
            }

            if (name == "fieldsToNull")
            {
                fields[child.Value.Trim()] = null;
                continue;
            }

            if (child.HasElements)
            {
                throw SoapFaultException.Client($"The field {name} of {type.Name} holds elements; fields take text values.");
            }

            var nil = child.Attribute(XName.Get("nil", SoapApi.XsiNamespace))?.Value is "true" or "1";
            fields[name] = nil ? null : child.Value;
        }

        return (type, fields);
    }

    private static string? TypeName(SoapApi api, XElement element)
    {
        if (!api.Typed)
        {
            return element.Elements().FirstOrDefault(e => e.Name.LocalName == "type")?.Value.Trim();
        }

        var xsiType = element.Attribute(XName.Get("type", SoapApi.XsiNamespace))?.Value;
        return xsiType is null ? null : xsiType.Contains(':', StringComparison.Ordinal) ? xsiType[(xsiType.IndexOf(':', StringComparison.Ordinal) + 1)..] : xsiType;
    }
}
