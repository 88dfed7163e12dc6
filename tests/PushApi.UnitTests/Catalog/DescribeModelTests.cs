using PushApi.Core.Catalog;
using PushApi.Core.Catalog.Describe;
using PushApi.Server.Rest;
using PushApi.Server.Soap;

namespace PushApi.UnitTests.Catalog;

public class DescribeModelTests
{
    private static IEnumerable<DescribeType> Types => DescribeModel.All;

    [TestCaseSource(nameof(Types))]
    public void Each_type_lists_its_properties_once_in_ordinal_order(DescribeType type)
    {
        var names = type.Properties.Select(p => p.Name).ToList();
        Assert.That(names, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "Salesforce's describe is in ordinal alphabetical order");
        Assert.That(names, Is.Unique);
    }

    [TestCaseSource(nameof(Types))]
    public void A_property_has_a_schema_type_exactly_when_SOAP_carries_it(DescribeType type)
    {
        foreach (var property in type.Properties)
        {
            Assert.That(property.XsdType is not null, Is.EqualTo(property.Wires.HasFlag(DescribeWires.Soap)), $"{type.Name}.{property.Name}");
        }
    }

    [Test]
    public void Every_catalog_object_and_field_can_be_described_as_its_schema_says()
    {
        var problems = new List<string>();
        Check(DescribeModel.Global, "global", problems);
        foreach (var type in SObjectCatalog.All)
        {
            Check(DescribeModel.DescribeSObjectResult.Of(type), type.Name, problems);
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void The_full_describe_has_every_field_and_child_relationship_of_the_catalog()
    {
        foreach (var type in SObjectCatalog.All)
        {
            var values = DescribeModel.DescribeSObjectResult.Of(type).Values(DescribeWires.Soap).ToDictionary(v => v.Property.Name, v => v.Value);
            var fields = (DescribeValue.ObjectList)values["fields"];
            var children = (DescribeValue.ObjectList)values["childRelationships"];
            Assert.That(fields.Items.Select(f => f.Source), Is.EqualTo(type.Fields), type.Name);
            Assert.That(children.Items.Select(c => c.Source), Is.EqualTo(type.ChildRelationships), type.Name);
        }
    }

    [Test]
    public void The_global_describe_lists_every_object_and_the_batch_size_both_APIs_take()
    {
        var values = DescribeModel.Global.Values(DescribeWires.Rest).ToDictionary(v => v.Property.Name, v => v.Value);
        Assert.That(((DescribeValue.ObjectList)values["sobjects"]).Items.Select(o => o.Source), Is.EqualTo(SObjectCatalog.All));
        Assert.That(values["maxBatchSize"], Is.EqualTo(new DescribeValue.Number(SoapService.MaxRecordsPerCall)));
        Assert.That(DescribeModel.MaxBatchSize, Is.EqualTo(CompositeEndpoints.MaxRecords));
    }

    /// <summary>Reads every property of <paramref name="described"/>, on either wire, and what it nests; notes each value its schema would not take.</summary>
    private static void Check(DescribedObject described, string path, List<string> problems)
    {
        foreach (var property in described.Type.Properties)
        {
            var value = property.Read(described.Source);
            var at = $"{path}.{property.Name}";
            var isList = value is DescribeValue.TextList or DescribeValue.ObjectList;
            if (isList != property.Unbounded)
            {
                problems.Add($"{at}: {(isList ? "a list in a single element" : "a single value in a list element")}");
            }

            if (property.Wires.HasFlag(DescribeWires.Soap) && !Fits(value, property))
            {
                problems.Add($"{at}: {value} does not fit {property.XsdType} ({property.Occurs})");
            }

            if (value is DescribeValue.ObjectList(var type, var items))
            {
                problems.AddRange(items.Where(i => i.Type != type).Select(i => $"{at}: an item of {i.Type} in a list of {type}"));
                foreach (var (item, index) in items.Select((item, index) => (item, index)))
                {
                    Check(item, $"{at}[{index}]", problems);
                }
            }
        }
    }

    private static bool Fits(DescribeValue value, DescribeProperty property) => value switch
    {
        DescribeValue.Null => property.Nillable || property.Optional,
        DescribeValue.Flag => property.XsdType == "xsd:boolean",
        DescribeValue.Number => property.XsdType == "xsd:int",
        DescribeValue.Text => property.XsdType is "xsd:string" or "tns:soapType" or "tns:fieldType",
        DescribeValue.TextList => property.XsdType == "xsd:string",
        DescribeValue.ObjectList(var type, _) => property.XsdType == "tns:" + type.Name,
        _ => false,
    };
}
