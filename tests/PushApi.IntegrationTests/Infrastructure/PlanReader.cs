using Npgsql;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>The plan of a statement, as EXPLAIN prints it, read in a transaction that is rolled back after (with what the caller changed in it first).</summary>
public static class PlanReader
{
    /// <summary>Runs <c>EXPLAIN {options} {sql}</c> in <paramref name="transaction"/>, rolls it back, prints the plan to the test's output and returns it.</summary>
    public static async Task<string> ExplainAndRollBackAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string options, string sql)
    {
        await using var command = new NpgsqlCommand($"EXPLAIN {options} {sql}", connection, transaction);
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync();
        var plan = string.Join('\n', lines);
        await TestContext.Out.WriteLineAsync(plan);
        return plan;
    }
}
