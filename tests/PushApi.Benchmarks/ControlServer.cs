using Npgsql;

namespace PushApi.Benchmarks;

/// <summary>
/// P4's baseline: the least a service can do to answer "GET one record by id" — one raw Npgsql
/// query and a hand-written JSON body — in its own process, as the server is.
/// </summary>
public static class ControlServer
{
    public static async Task RunAsync(int port, string connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var app = builder.Build();
        app.MapGet("/control/{id:long}", async (long id, HttpContext context) =>
        {
            await using var command = dataSource.CreateCommand("SELECT id, status, scheduled_start_time, job_count FROM push_requests WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            await using var reader = await command.ExecuteReaderAsync(context.RequestAborted);
            if (!await reader.ReadAsync(context.RequestAborted))
            {
                return Results.NotFound();
            }

            return Results.Text($"{{\"Id\":{reader.GetInt64(0)},\"Status\":\"{reader.GetString(1)}\",\"JobCount\":{reader.GetInt32(3)}}}", "application/json");
        });
        app.MapGet("/ready", () => "ok");
        await app.RunAsync();
    }
}
