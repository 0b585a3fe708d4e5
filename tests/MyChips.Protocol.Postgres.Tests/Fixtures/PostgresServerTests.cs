using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Protocol.Postgres.Tests.Fixtures;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresFixture fixture)
{
    [Fact]
    public async Task The_started_server_answers_a_query()
    {
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select 1", connection);

        Assert.Equal(1, await command.ExecuteScalarAsync());
        Assert.StartsWith("15.", connection.PostgreSqlVersion.ToString(2) + ".", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_created_database_is_separate()
    {
        var first = await fixture.Server.CreateDatabaseAsync();
        var second = await fixture.Server.CreateDatabaseAsync();

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand("create table marker(id int)", connection).ExecuteNonQueryAsync();
        }
        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            var count = await new NpgsqlCommand("select count(*) from pg_tables where tablename = 'marker'", connection).ExecuteScalarAsync();
            Assert.Equal(0L, count);
        }
    }
}
