namespace PushApi.Core.Catalog;

/// <summary>The describe types the six objects use, named as Salesforce names them.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The names are Salesforce's field types.")]
public enum FieldType
{
    Id,
    Reference,
    String,
    TextArea,
    Picklist,
    Int,
    Boolean,
    DateTime,
}

public static class FieldTypeNames
{
    /// <summary>The <c>type</c> value of a REST describe.</summary>
    public static string DescribeName(this FieldType type) => type switch
    {
        FieldType.Id => "id",
        FieldType.Reference => "reference",
        FieldType.String => "string",
        FieldType.TextArea => "textarea",
        FieldType.Picklist => "picklist",
        FieldType.Int => "int",
        FieldType.Boolean => "boolean",
        FieldType.DateTime => "datetime",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The XML schema type of the field in the WSDL and the SOAP describe.</summary>
    public static string SoapType(this FieldType type) => type switch
    {
        FieldType.Id or FieldType.Reference => "tns:ID",
        FieldType.String or FieldType.TextArea or FieldType.Picklist => "xsd:string",
        FieldType.Int => "xsd:int",
        FieldType.Boolean => "xsd:boolean",
        FieldType.DateTime => "xsd:dateTime",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
