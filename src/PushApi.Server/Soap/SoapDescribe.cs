using PushApi.Core.Catalog;
using PushApi.Core.Catalog.Describe;

namespace PushApi.Server.Soap;

/// <summary>
/// describeGlobal and describeSObject(s) results, rendered from the describe model: its SOAP properties in
/// the order the WSDL declares them, so clients generated from either WSDL read them. A null is left out
/// where the element is optional and <c>xsi:nil</c> where it is nillable; a list is one element per item.
/// </summary>
public static class SoapDescribe
{
    public static void WriteGlobal(SoapWriter w) => WriteObject(w, "result", DescribeModel.Global);

    public static void WriteSObject(SoapWriter w, SObjectDescriptor type) => WriteObject(w, "result", DescribeModel.DescribeSObjectResult.Of(type));

    private static void WriteObject(SoapWriter w, string element, DescribedObject described)
    {
        w.Start(element);
        foreach (var (property, value) in described.Values(DescribeWires.Soap))
        {
            WriteProperty(w, property, value);
        }

        w.End();
    }

    private static void WriteProperty(SoapWriter w, DescribeProperty property, DescribeValue value)
    {
        switch (value)
        {
            case DescribeValue.Null when property.Optional:
                break;
            case DescribeValue.Null when property.Nillable:
                w.Element(property.Name, (string?)null);
                break;
            case DescribeValue.Flag(var flag):
                w.Element(property.Name, flag);
                break;
            case DescribeValue.Number(var number):
                w.Element(property.Name, number);
                break;
            case DescribeValue.Text(var text):
                w.Element(property.Name, text);
                break;
            case DescribeValue.TextList(var texts):
                foreach (var text in texts)
                {
                    w.Element(property.Name, text);
                }

                break;
            case DescribeValue.ObjectList(_, var items):
                foreach (var item in items)
                {
                    WriteObject(w, property.Name, item);
                }

                break;
            default:
                throw new InvalidOperationException($"The WSDL has no way to write {value} as {property.Name}.");
        }
    }
}
