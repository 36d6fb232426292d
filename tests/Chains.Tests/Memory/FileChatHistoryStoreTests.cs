using System.Text;
using Chains.Memory;
using Chains.Testing.Memory;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

public sealed class FileChatHistoryStoreTests : ChatHistoryStoreContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chains-history-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    protected override IChatHistoryStore CreateStore() => new FileChatHistoryStore(_directory);

    [Fact]
    public async Task AppendAsync_Batch_WritesOneJsonLine()
    {
        var store = new FileChatHistoryStore(_directory);

        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "a\nb"), new ChatMessage(ChatRole.Assistant, "c")], Ct);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "d")], Ct);

        var lines = (await File.ReadAllTextAsync(store.GetPath("s1"), Ct)).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("[{", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"a\\nb\"", lines[0], StringComparison.Ordinal);
        Assert.Equal("", lines[2]);
    }

    [Fact]
    public async Task LoadAsync_TornLastLine_IgnoresTheIncompleteAppend()
    {
        var store = new FileChatHistoryStore(_directory);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "complete")], Ct);
        var path = store.GetPath("s1");
        var fullLine = File.ReadAllBytes(path);

        // A crash half way through the second append leaves half a line.
        await File.AppendAllTextAsync(path, Encoding.UTF8.GetString(fullLine, 0, fullLine.Length / 2), Ct);

        Assert.Equal(["complete"], (await store.LoadAsync("s1", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task AppendAsync_AfterTornLine_CutsItOffAndAppendsCleanly()
    {
        var store = new FileChatHistoryStore(_directory);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "one")], Ct);
        var path = store.GetPath("s1");
        await File.AppendAllTextAsync(path, "[{\"role\":\"user\",\"contents\":[{\"$type\":\"text\",\"text\":\"tor", Ct);

        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "two")], Ct);

        Assert.Equal(["one", "two"], (await store.LoadAsync("s1", Ct)).Select(m => m.Text));
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public async Task AppendAsync_FileHoldingOnlyATornLine_StartsTheFileOver()
    {
        var store = new FileChatHistoryStore(_directory);
        await File.WriteAllTextAsync(store.GetPath("s1"), new string('x', 10_000), Ct);

        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "fresh")], Ct);

        Assert.Equal(["fresh"], (await store.LoadAsync("s1", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task LoadAsync_DamagedCompleteLine_ThrowsNamingTheLine()
    {
        var store = new FileChatHistoryStore(_directory);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "one")], Ct);
        await File.AppendAllTextAsync(store.GetPath("s1"), "not json\n", Ct);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "three")], Ct);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.LoadAsync("s1", Ct));

        Assert.Contains("Line 2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("..")]
    [InlineData("x..y")]
    [InlineData("tab\there")]
    public async Task Methods_SessionIdThatIsAPath_AreRejected(string sessionId)
    {
        var store = new FileChatHistoryStore(_directory);

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(sessionId, [new ChatMessage(ChatRole.User, "x")], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.LoadAsync(sessionId, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ClearAsync(sessionId, Ct));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_directory)!, "escape*"));
    }

    [Fact]
    public void GetPath_TooLongSessionId_Throws()
        => Assert.Throws<ArgumentException>(() => new FileChatHistoryStore(_directory).GetPath(new string('a', 129)));

    [Theory]
    [InlineData("simple-id_1.2", "simple-id_1.2.jsonl")]
    [InlineData("user:42", "user%3A42.jsonl")]
    [InlineData("Bob", "%42ob.jsonl")]
    [InlineData(".hidden", "%2Ehidden.jsonl")]
    [InlineData("con", "%63on.jsonl")]
    [InlineData("会", "%E4%BC%9A.jsonl")]
    [InlineData("😀", "%F0%9F%98%80.jsonl")]
    public void GetPath_SessionId_EscapesItIntoOneFileName(string sessionId, string fileName)
    {
        var store = new FileChatHistoryStore(_directory);

        var path = store.GetPath(sessionId);

        Assert.Equal(Path.Combine(store.Directory, fileName), path);
    }

    [Fact]
    public async Task ClearAsync_Session_DeletesItsFile()
    {
        var store = new FileChatHistoryStore(_directory);
        await store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "x")], Ct);

        await store.ClearAsync("s1", Ct);

        Assert.False(File.Exists(store.GetPath("s1")));
    }

    [Fact]
    public async Task AppendAsync_SessionLockedByAnotherProcess_WaitsUntilReleased()
    {
        var store = new FileChatHistoryStore(_directory);
        var lockPath = Path.ChangeExtension(store.GetPath("s1"), ".lock");
        Task append;
        using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            append = store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "waited")], Ct);
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, Ct);
            Assert.False(append.IsCompleted);
            Assert.Empty(await store.LoadAsync("s1", Ct));
        }

        await append;
        Assert.Equal(["waited"], (await store.LoadAsync("s1", Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task AppendAsync_LockHeldAndCancelled_ThrowsAndStoresNothing()
    {
        var store = new FileChatHistoryStore(_directory);
        var lockPath = Path.ChangeExtension(store.GetPath("s1"), ".lock");
        using var cts = new CancellationTokenSource();
        using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var append = store.AppendAsync("s1", [new ChatMessage(ChatRole.User, "never")], cts.Token);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => append);
        }

        Assert.Empty(await store.LoadAsync("s1", Ct));
    }

    [Fact]
    public void Constructor_MissingDirectory_CreatesIt()
    {
        var nested = Path.Combine(_directory, "a", "b");

        var store = new FileChatHistoryStore(nested);

        Assert.True(Directory.Exists(nested));
        Assert.Equal(Path.GetFullPath(nested), store.Directory);
    }
}
