using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>Tests in this collection share one throwaway PostgreSQL server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
