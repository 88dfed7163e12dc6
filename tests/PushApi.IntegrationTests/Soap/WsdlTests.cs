using System.Xml.Linq;
using PushApi.Core.Catalog;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Soap;

/// <summary>wsdl/*.wsdl are the SOAP contracts: the service serves them (pointing at itself), and the Enterprise one types every object of the catalog field for field.</summary>
public class WsdlTests() : ApiFixture("wsdl", runPushes: false)
{
    private static readonly XNamespace Wsdl = "http://schemas.xmlsoap.org/wsdl/";
    private static readonly XNamespace Xsd = "http://www.w3.org/2001/XMLSchema";
    private static readonly XNamespace Soap = "http://schemas.xmlsoap.org/wsdl/soap/";

    [TestCase("enterprise", "c")]
    [TestCase("partner", "u")]
    public async Task The_committed_WSDL_is_what_the_service_serves(string name, string letter)
    {
        using var anonymous = Server.Anonymous();
        var served = await anonymous.GetStringAsync($"/services/wsdl/{name}");
        var location = Server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var path = Repository.PathOf("wsdl", name + ".wsdl");
        var normalised = served.Replace(location + "/services/Soap/", "https://127.0.0.1:5443/services/Soap/", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("PUSHAPI_UPDATE_WSDL") == "1")
        {
            await File.WriteAllTextAsync(path, normalised);
        }

        Assert.That(File.Exists(path), Is.True, $"wsdl/{name}.wsdl is missing; run the tests with PUSHAPI_UPDATE_WSDL=1 to write it");
        Assert.That(normalised, Is.EqualTo(await File.ReadAllTextAsync(path)),
            $"wsdl/{name}.wsdl differs from /services/wsdl/{name}; if the change is intended, run the tests with PUSHAPI_UPDATE_WSDL=1 and commit the file");

        var document = XDocument.Parse(served);
        Assert.That(document.Descendants(Soap + "address").Single().Attribute("location")!.Value, Is.EqualTo($"{location}/services/Soap/{letter}/62.0"), "the served WSDL points at the server it came from");
        Assert.That(await anonymous.GetStringAsync($"/services/Soap/{letter}/58.0?wsdl"), Does.Contain($"{location}/services/Soap/{letter}/58.0\""), "?wsdl on an endpoint names that endpoint");
        Assert.DoesNotThrow(() => SoapClient.Compile(document), "its schemas compile");
        Assert.That(document.Root!.Elements(Wsdl + "service").Single().Attribute("name")!.Value, Is.EqualTo("SforceService"));
        Assert.That(document.Root!.Elements(Wsdl + "binding").Single().Elements(Wsdl + "operation").Select(o => o.Attribute("name")!.Value), Is.SupersetOf(new[]
        {
            "login", "logout", "getUserInfo", "getServerTimestamp", "create", "update", "upsert", "delete", "retrieve", "query", "queryAll", "queryMore",
            "describeSObject", "describeSObjects", "describeGlobal",
        }));
    }

    [Test]
    public async Task The_enterprise_WSDL_types_every_object_field_for_field_from_the_committed_file()
    {
        var document = XDocument.Parse(await File.ReadAllTextAsync(Repository.PathOf("wsdl", "enterprise.wsdl")));
        var sobjectSchema = document.Descendants(Xsd + "schema").Single(s => s.Attribute("targetNamespace")!.Value == "urn:sobject.enterprise.soap.sforce.com");
        foreach (var type in SObjectCatalog.All)
        {
            var complexType = sobjectSchema.Elements(Xsd + "complexType").SingleOrDefault(t => t.Attribute("name")!.Value == type.Name);
            Assert.That(complexType, Is.Not.Null, type.Name);
            Assert.That(complexType!.Descendants(Xsd + "extension").Single().Attribute("base")!.Value, Is.EqualTo("ens:sObject"));
            var elements = complexType.Descendants(Xsd + "element").Select(e => (Name: e.Attribute("name")!.Value, Type: e.Attribute("type")!.Value)).ToList();

            // Every field but Id (in the sObject base) with its schema type; parents typed by their object; children as QueryResult.
            var expected = type.Fields.Where(f => f.Name != "Id").Select(f => (f.Name, Expected(f)))
                .Concat(type.Fields.Where(f => f.RelationshipName is not null).Select(f => (f.RelationshipName!, "ens:" + f.ReferenceTo)))
                .Concat(type.ChildRelationships.Select(c => (c.RelationshipName, "tns:QueryResult")))
                .OrderBy(e => e.Item1, StringComparer.OrdinalIgnoreCase)
                .ToList();
            Assert.That(elements, Is.EqualTo(expected), $"{type.Name}: fields in alphabetical order with their types");
            Assert.That(complexType.Descendants(Xsd + "element").All(e => e.Attribute("nillable")?.Value == "true" && e.Attribute("minOccurs")?.Value == "0"), Is.True);
        }
    }

    private static string Expected(FieldDescriptor field) => field.Type switch
    {
        FieldType.Id or FieldType.Reference => "tns:ID",
        FieldType.Int => "xsd:int",
        FieldType.Boolean => "xsd:boolean",
        FieldType.DateTime => "xsd:dateTime",
        _ => "xsd:string",
    };
}
