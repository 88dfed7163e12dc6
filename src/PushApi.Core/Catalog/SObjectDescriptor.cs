namespace PushApi.Core.Catalog;

/// <summary>One value of a picklist field.</summary>
public sealed record PicklistValue(string Value, string Label, bool IsDefault = false);

/// <summary>A field as describe reports it; the single source for every front end.</summary>
public sealed record FieldDescriptor
{
    public required string Name { get; init; }

    public required string Label { get; init; }

    public required FieldType Type { get; init; }

    /// <summary>Maximum characters for text fields; 0 for others (describe's <c>length</c>).</summary>
    public int Length { get; init; }

    /// <summary>Digits for int fields (describe's <c>digits</c>).</summary>
    public int Digits => Type == FieldType.Int ? 9 : 0;

    public bool Nillable { get; init; }

    public bool Createable { get; init; }

    public bool Updateable { get; init; }

    public bool Filterable { get; init; }

    public bool Groupable { get; init; }

    public bool Sortable { get; init; }

    public bool DefaultedOnCreate { get; init; }

    public bool IdLookup { get; init; }

    public bool RestrictedPicklist => Type == FieldType.Picklist;

    public IReadOnlyList<PicklistValue> PicklistValues { get; init; } = [];

    /// <summary>The object a reference field points to.</summary>
    public string? ReferenceTo { get; init; }

    /// <summary>The name of the parent relationship of a reference field (used in SOQL paths).</summary>
    public string? RelationshipName { get; init; }

    /// <summary>
    /// The table column a client-writable field is stored in (Status changes through the status-change
    /// statements, the others through the DML use cases); null for fields only the service writes.
    /// </summary>
    public string? Column { get; init; }

    /// <summary>Required on create although describe reports it nillable (as Salesforce does).</summary>
    public bool RequiredOnCreate { get; init; }

    public string? DefaultValue => PicklistValues.FirstOrDefault(v => v.IsDefault)?.Value;

    /// <summary>The picklist value with this spelling, ignoring case; null when the value is not in the list.</summary>
    public PicklistValue? FindPicklistValue(string value) =>
        PicklistValues.FirstOrDefault(v => string.Equals(v.Value, value, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A child relationship: the children of <see cref="ChildSObject"/> whose <see cref="Field"/> points here.</summary>
public sealed record ChildRelationship(string RelationshipName, string ChildSObject, string Field);

/// <summary>One sObject type: name, key prefix, labels, what may be done with it, fields and children.</summary>
public sealed class SObjectDescriptor
{
    private readonly Dictionary<string, FieldDescriptor> _fieldsByName;
    private readonly Dictionary<string, FieldDescriptor> _fieldsByRelationship;
    private readonly Dictionary<string, ChildRelationship> _children;

    public SObjectDescriptor(
        string name,
        string keyPrefix,
        string label,
        string labelPlural,
        bool createable,
        bool updateable,
        IReadOnlyList<FieldDescriptor> fields,
        IReadOnlyList<ChildRelationship> childRelationships)
    {
        Name = name;
        KeyPrefix = keyPrefix;
        Label = label;
        LabelPlural = labelPlural;
        Createable = createable;
        Updateable = updateable;
        Fields = fields;
        ChildRelationships = childRelationships;
        _fieldsByName = fields.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        _fieldsByRelationship = fields.Where(f => f.RelationshipName is not null)
            .ToDictionary(f => f.RelationshipName!, StringComparer.OrdinalIgnoreCase);
        _children = childRelationships.ToDictionary(c => c.RelationshipName, StringComparer.OrdinalIgnoreCase);
    }

    public string Name { get; }

    public string KeyPrefix { get; }

    public string Label { get; }

    public string LabelPlural { get; }

    public bool Createable { get; }

    public bool Updateable { get; }

    /// <summary>None of the push objects can be deleted through the API.</summary>
    public bool Deletable { get; }

    /// <summary>Fields in describe order: Id first, then alphabetical, SystemModstamp included.</summary>
    public IReadOnlyList<FieldDescriptor> Fields { get; }

    public IReadOnlyList<ChildRelationship> ChildRelationships { get; }

    /// <summary>Finds a field by name, ignoring case.</summary>
    public FieldDescriptor? FindField(string name) => _fieldsByName.GetValueOrDefault(name);

    /// <summary>Finds the reference field behind a parent relationship name, ignoring case.</summary>
    public FieldDescriptor? FindParentRelationship(string relationshipName) => _fieldsByRelationship.GetValueOrDefault(relationshipName);

    /// <summary>Finds a child relationship by name, ignoring case.</summary>
    public ChildRelationship? FindChildRelationship(string relationshipName) => _children.GetValueOrDefault(relationshipName);

    public override string ToString() => Name;
}
