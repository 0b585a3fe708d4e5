using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests.Fixtures;

// Changes MYCHIPS_PG_BIN for the process, so it must not run beside the other PostgreSQL tests.
[Collection(PostgresCollection.Name)]
public sealed class MissingPostgresTests
{
    [Fact]
    public async Task A_folder_without_the_binaries_gives_an_error_naming_the_missing_one()
    {
        var empty = Directory.CreateTempSubdirectory("no-pg-").FullName;
        var previous = Environment.GetEnvironmentVariable("MYCHIPS_PG_BIN");
        Environment.SetEnvironmentVariable("MYCHIPS_PG_BIN", empty);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(PostgresServer.StartAsync);
            Assert.Contains("'initdb'", error.Message, StringComparison.Ordinal);
            Assert.Contains(empty, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MYCHIPS_PG_BIN", previous);
            Directory.Delete(empty);
        }
    }
}
