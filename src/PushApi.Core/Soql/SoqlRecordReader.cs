using System.Data.Common;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

/// <summary>Turns a row of a compiled query into a <see cref="SoqlRecord"/>, with parents nested as the output tree says.</summary>
internal static class SoqlRecordReader
{
    public static SoqlRecord Read(DbDataReader reader, CompiledQuery query)
    {
        var record = new SoqlRecord(query.Root, FormatId(reader, query.IdOrdinal, query.Root));
        Fill(reader, record, query.Output);
        return record;
    }

    public static object ReadValue(DbDataReader reader, int ordinal, FieldDescriptor field, SObjectDescriptor owner) => field.Type switch
    {
        FieldType.Id => FormatId(reader, ordinal, owner),
        FieldType.Reference => SalesforceId.Format(SObjectCatalog.Find(field.ReferenceTo!)!.KeyPrefix, reader.GetInt64(ordinal)),
        FieldType.Int => reader.GetInt32(ordinal),
        FieldType.Boolean => reader.GetBoolean(ordinal),
        FieldType.DateTime => reader.GetFieldValue<DateTimeOffset>(ordinal),
        _ => reader.GetString(ordinal),
    };

    private static void Fill(DbDataReader reader, SoqlRecord record, List<OutputNode> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case FieldNode field:
                    record.Fields.Add(new(field.Name, reader.IsDBNull(field.Ordinal) ? null : ReadValue(reader, field.Ordinal, field.Field, field.Owner)));
                    break;
                case ParentNode parent when reader.IsDBNull(parent.IdOrdinal):
                    record.Fields.Add(new(parent.Name, null));
                    break;
                case ParentNode parent:
                    var nested = new SoqlRecord(parent.Type, FormatId(reader, parent.IdOrdinal, parent.Type));
                    Fill(reader, nested, parent.Children);
                    record.Fields.Add(new(parent.Name, nested));
                    break;

                // A placeholder in SELECT order; the page fills it once all its parents are read.
                case ChildNode child:
                    record.Fields.Add(new(child.Name, null));
                    break;
            }
        }
    }

    /// <summary>The 18-character id of a row: the row number with the object's prefix, or a 15-character id kept as text.</summary>
    private static string FormatId(DbDataReader reader, int ordinal, SObjectDescriptor type) => reader.GetFieldType(ordinal) == typeof(string)
        ? reader.GetString(ordinal) + SalesforceId.Checksum(reader.GetString(ordinal))
        : SalesforceId.Format(type.KeyPrefix, reader.GetInt64(ordinal));
}
