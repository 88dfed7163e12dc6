using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PushApi.Benchmarks;

/// <summary>
/// What the scenarios compare against, measured on the same machine in the same run: row-by-row
/// autocommit INSERTs, EF Core SaveChanges and tracked updates, and pgbench's raw-SQL claim ceiling.
/// </summary>
public static class Baselines
{
    /// <summary>Rows a second inserted one statement (and one transaction) at a time.</summary>
    public static async Task<double> AutocommitInsertAsync(ScenarioContext c)
    {
        var rows = Math.Min(c.Orgs.Count, c.Options.Smoke ? 200 : 5_000);
        await c.Bench.ExecuteAsync("DROP TABLE IF EXISTS bench_insert; CREATE TABLE bench_insert (id bigserial PRIMARY KEY, request_id bigint NOT NULL, org_key text NOT NULL, status text NOT NULL, UNIQUE (request_id, org_key))");
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rows; i++)
        {
            await using var command = new NpgsqlCommand("INSERT INTO bench_insert (request_id, org_key, status) VALUES ($1, $2, 'Created')", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = 1L });
            command.Parameters.Add(new NpgsqlParameter { Value = c.Orgs[i] });
            await command.ExecuteNonQueryAsync();
        }

        return rows / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Rows a second added with one EF Core SaveChanges.</summary>
    public static async Task<double> EfSaveChangesAsync(ScenarioContext c)
    {
        var rows = Math.Min(c.Orgs.Count, c.Options.Smoke ? 200 : 20_000);
        await c.Bench.ExecuteAsync("DROP TABLE IF EXISTS bench_ef; CREATE TABLE bench_ef (id bigserial PRIMARY KEY, request_id bigint NOT NULL, org_key text NOT NULL, status text NOT NULL, UNIQUE (request_id, org_key))");
        await using var db = new BenchDb(c.Bench.ConnectionString);
        var watch = Stopwatch.StartNew();
        db.Rows.AddRange(c.Orgs.Take(rows).Select(o => new BenchRow { RequestId = 1, OrgKey = o, Status = "Created" }));
        await db.SaveChangesAsync();
        return rows / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Rows a second changed through EF Core change tracking: loaded, changed one by one, saved.</summary>
    public static async Task<double> EfTrackedUpdatesAsync(ScenarioContext c)
    {
        // The rows to update are the ones SaveChanges added.
        await EfSaveChangesAsync(c);
        await using var db = new BenchDb(c.Bench.ConnectionString);
        var watch = Stopwatch.StartNew();
        var rows = await db.Rows.ToListAsync();
        foreach (var row in rows)
        {
            row.Status = "Canceled";
        }

        await db.SaveChangesAsync();
        return rows.Count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The raw-SQL claim/complete ceiling: pgbench, 2 clients, 50 jobs claimed with SKIP LOCKED and completed per transaction.</summary>
    public static async Task<double> PgbenchClaimCeilingAsync(ScenarioContext c)
    {
        var pgbench = Directory.GetFiles("/usr/lib/postgresql", "pgbench", SearchOption.AllDirectories).OrderDescending().FirstOrDefault();
        if (pgbench is null)
        {
            return 0;
        }

        var rows = c.Options.Smoke ? 20_000 : 2_000_000;
        await c.Bench.ExecuteAsync($"""
            DROP TABLE IF EXISTS bench_claim;
            CREATE TABLE bench_claim (id bigint PRIMARY KEY, status text NOT NULL, attempt int NOT NULL DEFAULT 0, lease_until timestamptz);
            INSERT INTO bench_claim (id, status) SELECT g, 'Pending' FROM generate_series(1, {rows}) g;
            CREATE INDEX bench_claim_pending ON bench_claim (id) WHERE status = 'Pending';
            """);
        await c.Bench.ExecuteAsync("VACUUM ANALYZE bench_claim");
        var script = Path.Combine(c.Bench.DataDirectory, "claim.sql");
        // Claim 50 (SKIP LOCKED) in one transaction, complete the same 50 in the next, as the engine does.
        await File.WriteAllTextAsync(script, """
            BEGIN;
            WITH claimed AS (SELECT id FROM bench_claim WHERE status = 'Pending' ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED),
            updated AS (UPDATE bench_claim b SET status = 'In Progress', attempt = b.attempt + 1, lease_until = now() + interval '30 s' FROM claimed WHERE b.id = claimed.id RETURNING b.id)
            SELECT coalesce(min(id), 0) AS lo, coalesce(max(id), 0) AS hi FROM updated \gset
            COMMIT;
            UPDATE bench_claim SET status = 'Succeeded', lease_until = NULL WHERE id BETWEEN :lo AND :hi AND status = 'In Progress';
            """);
        var builder = new NpgsqlConnectionStringBuilder(c.Bench.ConnectionString);
        var start = new ProcessStartInfo(pgbench) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-n", "-c", "2", "-j", "2", "-T", c.Options.Smoke ? "1" : "5", "-f", script, "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database! })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = builder.Password;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture) * 50;
    }

    private sealed class BenchRow
    {
        public long Id { get; set; }

        public long RequestId { get; set; }

        public string OrgKey { get; set; } = "";

        public string Status { get; set; } = "";
    }

    private sealed class BenchDb(string connectionString) : DbContext
    {
        public DbSet<BenchRow> Rows => Set<BenchRow>();

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseNpgsql(connectionString);

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<BenchRow>(e =>
        {
            e.ToTable("bench_ef");
            e.Property(r => r.Id).HasColumnName("id");
            e.Property(r => r.RequestId).HasColumnName("request_id");
            e.Property(r => r.OrgKey).HasColumnName("org_key");
            e.Property(r => r.Status).HasColumnName("status");
        });
    }
}
