using System.Text;
using Chains.Indexes.Indexing;

namespace Chains.Tests.Indexes.Indexing;

public sealed class FileRecordManagerTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(8));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"chains-records-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => Path.Combine(_dir, "records.jsonl");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task UpsertAsync_ThenReopen_RecordsRoundTrip()
    {
        using (var manager = new FileRecordManager(FilePath))
        {
            await manager.UpsertAsync([new IndexRecord("文档/一", "abc", ["文档/一#0@1", "文档/一#1@2"], At), new IndexRecord("b", null, [], At)], Ct);
        }

        using var reopened = new FileRecordManager(FilePath);
        var records = (await reopened.GetAsync(["文档/一", "b"], Ct)).OrderBy(r => r.SourceId, StringComparer.Ordinal).ToArray();

        Assert.Equal(("b", true), (records[0].SourceId, records[0].IsPending));
        Assert.Equal(["文档/一#0@1", "文档/一#1@2"], records[1].ChunkIds);
        Assert.Equal(("abc", At), (records[1].ContentHash, records[1].IndexedAt));
    }

    [Fact]
    public async Task DeleteAsync_ThenReopen_RecordIsGone()
    {
        using (var manager = new FileRecordManager(FilePath))
        {
            await manager.UpsertAsync([new IndexRecord("a", "h", [], At), new IndexRecord("b", "h", [], At)], Ct);
            await manager.DeleteAsync(["a"], Ct);
        }

        using var reopened = new FileRecordManager(FilePath);
        Assert.Equal("b", Assert.Single(await reopened.ListAsync(Ct).ToListAsync(Ct)).SourceId);
    }

    [Fact]
    public async Task GetAsync_BatchTornByCrash_DropsWholeBatchAndAppendsCleanly()
    {
        using (var manager = new FileRecordManager(FilePath))
        {
            await manager.UpsertAsync([new IndexRecord("a", "h1", ["a#0"], At)], Ct);
        }

        // A crash while appending a two-record batch: the first line made it, the second was cut, no commit line.
        var good = await File.ReadAllTextAsync(FilePath, Ct);
        await File.AppendAllTextAsync(FilePath, "{\"op\":\"put\",\"source\":\"b\",\"hash\":\"h\",\"chunks\":[],\"at\":\"2026-03-04T05:06:07+08:00\"}\n{\"op\":\"put\",\"sou", Ct);

        using var reopened = new FileRecordManager(FilePath);
        Assert.Equal("a", Assert.Single(await reopened.ListAsync(Ct).ToListAsync(Ct)).SourceId);
        Assert.Equal(good, await File.ReadAllTextAsync(FilePath, Ct));
        await reopened.UpsertAsync([new IndexRecord("c", "h3", [], At)], Ct);
        using var third = new FileRecordManager(FilePath);
        Assert.Equal(["a", "c"], (await third.ListAsync(Ct).ToListAsync(Ct)).Select(r => r.SourceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetAsync_CorruptLineBeforeTheEnd_ThrowsNamingTheLine()
    {
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(FilePath, "{\"op\":\"commit\"}\nnot json\n{\"op\":\"commit\"}\n", Encoding.UTF8, Ct);
        using var manager = new FileRecordManager(FilePath);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => manager.GetAsync(["a"], Ct));

        Assert.Contains("Line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_LeftoverSnapshotFromCrashedCompaction_IsIgnored()
    {
        using (var manager = new FileRecordManager(FilePath))
        {
            await manager.UpsertAsync([new IndexRecord("a", "h", [], At)], Ct);
        }

        await File.WriteAllTextAsync(FilePath + ".tmp", "{\"op\":\"put\",\"sou", Ct);
        using var reopened = new FileRecordManager(FilePath);

        Assert.Equal("a", Assert.Single(await reopened.ListAsync(Ct).ToListAsync(Ct)).SourceId);
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Fact]
    public async Task UpsertAsync_ManyRewrites_CompactsTheLog()
    {
        using (var manager = new FileRecordManager(FilePath))
        {
            for (var i = 0; i < 1100; i++)
            {
                await manager.UpsertAsync([new IndexRecord("a", $"h{i}", [], At)], Ct);
            }
        }

        var lines = await File.ReadAllLinesAsync(FilePath, Ct);
        Assert.True(lines.Length < 400, $"{lines.Length} lines");
        using var reopened = new FileRecordManager(FilePath);
        Assert.Equal("h1099", Assert.Single(await reopened.ListAsync(Ct).ToListAsync(Ct)).ContentHash);
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Fact]
    public async Task GetAsync_NoFile_ReturnsNothing()
    {
        using var manager = new FileRecordManager(FilePath);

        Assert.Empty(await manager.GetAsync(["a"], Ct));
        Assert.False(File.Exists(FilePath));
    }
}
