using System.Text;
using Microsoft.EntityFrameworkCore;
using PushApi.Core.Identity;
using PushApi.Core.Packages;
using PushApi.Core.Tenants;

namespace PushApi.Core.Persistence;

/// <summary>
/// EF Core for the single-aggregate admin writes (packages, versions, tenants, installs, users).
/// Sets of rows go through set-based SQL instead; the schema itself comes from the SQL migrations.
/// </summary>
public sealed class PushApiDbContext(DbContextOptions<PushApiDbContext> options) : DbContext(options)
{
    public DbSet<Package> Packages => Set<Package>();

    public DbSet<PackageVersion> PackageVersions => Set<PackageVersion>();

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Installation> Installations => Set<Installation>();

    public DbSet<User> Users => Set<User>();

    public DbSet<ApiClient> ApiClients => Set<ApiClient>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Package>(e =>
        {
            e.ToTable("packages");
            e.Ignore(p => p.SalesforceId);
        });
        modelBuilder.Entity<PackageVersion>(e =>
        {
            e.ToTable("package_versions");
            e.Ignore(v => v.SalesforceId);
            e.Ignore(v => v.Number);
        });
        modelBuilder.Entity<Tenant>(e =>
        {
            e.ToTable("tenants");
            e.HasKey(t => t.OrgKey);
            e.Ignore(t => t.HasAgent);
            e.Property(t => t.MaintenanceWindow).HasColumnType("jsonb")
                .HasConversion(w => w!.ToJson(), json => Governance.Windows.MaintenanceWindow.FromJson(json)!);
        });
        modelBuilder.Entity<Installation>(e =>
        {
            e.ToTable("installations");
            e.Ignore(i => i.SalesforceId);
        });
        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            e.Ignore(u => u.SalesforceId);
        });
        modelBuilder.Entity<ApiClient>(e =>
        {
            e.ToTable("api_clients");
            e.HasOne(c => c.User).WithMany().HasForeignKey(c => c.UserId);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    private static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
