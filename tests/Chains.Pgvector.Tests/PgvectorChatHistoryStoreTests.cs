using Chains.Memory;
using Chains.Testing.Memory;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="PgvectorChatHistoryStore"/>: the shared <see cref="IChatHistoryStore"/> contract on a real server
/// (each test its own table), plus retention by count and age.</summary>
public sealed class PgvectorChatHistoryStoreTests : ChatHistoryStoreContractTests, IAsyncLifetime
{
    private readonly string _schema = TestNames.Unique("chat");
    private readonly string _table = "messages_" + Guid.NewGuid().ToString("N")[..8];
    private readonly NpgsqlDataSource _dataSource;

    public PgvectorChatHistoryStoreTests(PostgresServer server) => _dataSource = server.CreateDataSource();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }

    protected override IChatHistoryStore CreateStore() => Store();

    [Fact]
    public async Task AppendAsync_MaxMessagesPerSession_KeepsTheNewestInOrder()
    {
        var store = Store(new() { MaxMessagesPerSession = 3 });
        await store.AppendAsync("s", [User("1"), User("2")], Ct);
        await store.AppendAsync("other", [User("x")], Ct);

        await store.AppendAsync("s", [User("3"), User("4"), User("5")], Ct);

        Assert.Equal(["3", "4", "5"], (await store.LoadAsync("s", Ct)).Select(m => m.Text));
        Assert.Equal(3L, await CountAsync("s"));
        Assert.Equal(["x"], (await store.LoadAsync("other", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task LoadAsync_LowerLimitThanStored_ReturnsTheNewest()
    {
        await Store().AppendAsync("s", [User("1"), User("2"), User("3")], Ct);

        var messages = await Store(new() { MaxMessagesPerSession = 2 }).LoadAsync("s", Ct);

        Assert.Equal(["2", "3"], messages.Select(m => m.Text));
    }

    [Fact]
    public async Task MaxAge_ExpiredMessages_AreNotLoadedAndAreDeletedByAppendAndPurge()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = Store(new() { MaxAge = TimeSpan.FromHours(1), TimeProvider = time });
        await store.AppendAsync("a", [User("old a")], Ct);
        await store.AppendAsync("b", [User("old b")], Ct);
        time.Advance(TimeSpan.FromMinutes(61));

        Assert.Empty(await store.LoadAsync("a", Ct));
        await store.AppendAsync("a", [User("new a")], Ct);

        Assert.Equal(["new a"], (await store.LoadAsync("a", Ct)).Select(m => m.Text));
        Assert.Equal(1L, await CountAsync("a"));
        Assert.Equal(1L, await CountAsync("b"));
        Assert.Equal(1, await store.PurgeExpiredAsync(Ct));
        Assert.Equal(0L, await CountAsync("b"));
        Assert.Equal(0, await Store().PurgeExpiredAsync(Ct));
    }

    [Fact]
    public void AsChatHistoryStore_InvalidOptions_ThrowNamingThem()
    {
        var ex = Assert.Throws<ArgumentException>(() => _dataSource.AsChatHistoryStore(new PgvectorChatHistoryOptions { Table = "bad-name" }));

        Assert.Contains("PgvectorChatHistoryOptions.Table 'bad-name'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgvectorChatHistoryOptions { MaxMessagesPerSession = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgvectorChatHistoryOptions { MaxAge = TimeSpan.Zero });
    }

    [Fact]
    public async Task AppendAsync_ToolCallContent_StoredAsJsonTheDatabaseCanRead()
    {
        var store = Store();

        await store.AppendAsync("s", [new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "北京" })])], Ct);

        await using var cmd = _dataSource.CreateCommand($"SELECT message -> 'contents' -> 0 ->> '$type' FROM \"{_schema}\".{_table}");
        Assert.Equal("functionCall", await cmd.ExecuteScalarAsync(Ct));
    }

    private PgvectorChatHistoryStore Store(PgvectorChatHistoryOptions? options = null)
        => _dataSource.AsChatHistoryStore((options ?? new PgvectorChatHistoryOptions()) with { Schema = _schema, Table = _table });

    private static ChatMessage User(string text) => new(ChatRole.User, text);

    private async Task<long> CountAsync(string session)
    {
        await using var cmd = _dataSource.CreateCommand($"SELECT count(*) FROM \"{_schema}\".{_table} WHERE session_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = session });
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }
}
