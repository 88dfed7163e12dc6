using System.Text.Json;
using PushApi.Core.Dml;
using PushApi.Core.Persistence;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest.Composite;

/// <summary>
/// <c>POST composite</c>: up to 25 subrequests run in order, each through its own endpoint, a later one
/// reading an earlier one's answer through <c>@{ref.…}</c> references. With <c>allOrNone</c> every write
/// shares one transaction: one failure rolls all of them back and every other subrequest answers
/// <c>PROCESSING_HALTED</c>. Without it, each subrequest stands alone, and one whose reference finds no
/// value (its subrequest failed) answers <c>PROCESSING_HALTED</c> itself. The call answers 200 either way.
/// </summary>
public static class CompositeRequestEndpoint
{
    private static readonly string[] Resources = ["tree", "batch", "sobjects"];

    public const string RolledBack = "The transaction was rolled back since another operation in the same transaction failed.";

    public static RouteGroupBuilder MapCompositeRequestEndpoint(this RouteGroupBuilder data)
    {
        data.MapPost("/composite", RunAsync)
            .WithSummary("Run up to 25 subrequests in one call, with @{ref.id} references between them and allOrNone.");
        data.MapGet("/composite", (HttpContext context) => new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            foreach (var resource in Resources)
            {
                writer.WriteString(resource, $"/services/data/v{context.ApiVersion()}/composite/{resource}");
            }

            writer.WriteEndObject();
        })).WithSummary("The composite resources of a version.");
        return data;
    }

    private static async Task<IResult> RunAsync(HttpContext context, DmlService dml, CompositeSubrequests subrequests)
    {
        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var requests = CompositeRequestBody.ReadComposite(body);
        var allOrNone = body.TryGetProperty("allOrNone", out var flag) && flag.ValueKind == JsonValueKind.True;
        List<SubrequestAnswer> answers;
        if (!allOrNone)
        {
            answers = await RunEachAsync(context, subrequests, requests, shared: null);
        }
        else
        {
            await using var shared = await dml.BeginSharedTransactionAsync(context.RequestAborted);
            using (shared.Enter())
            {
                answers = await RunEachAsync(context, subrequests, requests, shared);
            }

            if (answers.Count == requests.Count && !answers.Any(a => a.Failed) && !shared.WriteFailed)
            {
                await shared.CommitAsync(context.RequestAborted);
            }
            else
            {
                answers = Halted(answers, requests.Count);
            }
        }

        return Answer(requests, answers);
    }

    /// <summary>Runs the subrequests in order; inside a shared transaction it stops at the first failure.</summary>
    private static async Task<List<SubrequestAnswer>> RunEachAsync(HttpContext context, CompositeSubrequests subrequests, List<Subrequest> requests, SharedTransaction? shared)
    {
        var references = new CompositeReferences();
        var answers = new List<SubrequestAnswer>();
        foreach (var request in requests)
        {
            SubrequestAnswer answer;
            try
            {
                var url = references.ResolveUrl(request.Url);
                var body = references.ResolveBody(request.Body);
                answer = await subrequests.RunAsync(context, request.Method, url, body, request.Headers);
            }
            catch (InvalidReferenceException e)
            {
                answer = Error(e.Message);
            }

            answers.Add(answer);
            references.Add(request.ReferenceId, answer.Body);
            if (shared is not null && (answer.Failed || shared.WriteFailed))
            {
                break;
            }
        }

        return answers;
    }

    /// <summary>After a rollback: the subrequest that failed keeps its answer, every other one is PROCESSING_HALTED.</summary>
    private static List<SubrequestAnswer> Halted(List<SubrequestAnswer> answers, int count)
    {
        var failed = answers.Count - 1;
        return [.. Enumerable.Range(0, count).Select(i => i == failed ? answers[i] : Error(RolledBack))];
    }

    private static SubrequestAnswer Error(string message) => new(
        StatusCodes.Status400BadRequest,
        new Dictionary<string, string>(),
        JsonSerializer.SerializeToElement(new[] { new { errorCode = "PROCESSING_HALTED", message } }));

    private static RestJsonResult Answer(List<Subrequest> requests, List<SubrequestAnswer> answers) => new(StatusCodes.Status200OK, writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("compositeResponse");
        for (var i = 0; i < answers.Count; i++)
        {
            writer.WriteStartObject();
            WriteAnswer(writer, answers[i]);
            writer.WriteString("referenceId", requests[i].ReferenceId);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>A subrequest's <c>body</c>, <c>httpHeaders</c> and <c>httpStatusCode</c> (batch results use their own names).</summary>
    public static void WriteAnswer(Utf8JsonWriter writer, SubrequestAnswer answer)
    {
        writer.WritePropertyName("body");
        if (answer.Body is { } body)
        {
            body.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteStartObject("httpHeaders");
        foreach (var (name, value) in answer.Headers)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteNumber("httpStatusCode", answer.Status);
    }
}
