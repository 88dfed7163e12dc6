using System.Text.Json;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest.Composite;

/// <summary>
/// <c>POST composite/batch</c>: up to 25 independent subrequests (no references, each its own transaction),
/// run in order through their own endpoints. With <c>haltOnError</c>, the subrequests after the first
/// failure are not run and answer 412 <c>BATCH_PROCESSING_HALTED</c>. The call answers 200 with
/// <c>{hasErrors, results: [{statusCode, result}]}</c>.
/// </summary>
public static class CompositeBatchEndpoint
{
    public static RouteGroupBuilder MapCompositeBatchEndpoint(this RouteGroupBuilder data)
    {
        data.MapPost("/composite/batch", RunAsync)
            .WithSummary("Run up to 25 independent subrequests in one call (haltOnError stops at the first failure).");
        return data;
    }

    private static async Task<IResult> RunAsync(HttpContext context, CompositeSubrequests subrequests)
    {
        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var requests = CompositeRequestBody.ReadBatch(body);
        var haltOnError = body.TryGetProperty("haltOnError", out var flag) && flag.ValueKind == JsonValueKind.True;
        var answers = new List<SubrequestAnswer>();
        foreach (var request in requests)
        {
            if (haltOnError && answers.Any(a => a.Failed))
            {
                answers.Add(Halted);
                continue;
            }

            var content = request.Body is { } input ? JsonSerializer.SerializeToUtf8Bytes(input) : null;
            answers.Add(await subrequests.RunAsync(context, request.Method, request.Url, content, request.Headers));
        }

        var hasErrors = answers.Any(a => a.Failed);
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("hasErrors", hasErrors);
            writer.WriteStartArray("results");
            foreach (var answer in answers)
            {
                writer.WriteStartObject();
                writer.WriteNumber("statusCode", answer.Status);
                writer.WritePropertyName("result");
                if (answer.Body is { } result)
                {
                    result.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static SubrequestAnswer Halted { get; } = new(
        StatusCodes.Status412PreconditionFailed,
        new Dictionary<string, string>(),
        JsonSerializer.SerializeToElement(new[] { new { errorCode = "BATCH_PROCESSING_HALTED", message = "Batch processing halted per request" } }));
}
