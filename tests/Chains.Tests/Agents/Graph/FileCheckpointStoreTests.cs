using Chains.Agents.Graph;
using Chains.Testing.Agents;

namespace Chains.Tests.Agents.Graph;

public sealed class FileCheckpointStoreTests : CheckpointStoreContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chains-checkpoints-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    protected override ICheckpointStore CreateStore() => new FileCheckpointStore(_directory);

    [Fact]
    public async Task SaveAsync_OneFilePerStep_NoTemporaryFileLeft()
    {
        var store = new FileCheckpointStore(_directory);
        await store.SaveAsync(Checkpoint("t", 0), CheckpointRetention.All, Ct);
        await store.SaveAsync(Checkpoint("t", 1), CheckpointRetention.All, Ct);

        var files = Directory.GetFiles(_directory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order().ToList();

        Assert.Equal(["0000000000000000000.json", "0000000000000000001.json"], files);
    }

    [Fact]
    public async Task GetAsync_TornWriteLeftByACrash_IgnoredAndCleanedOnNextSave()
    {
        var store = new FileCheckpointStore(_directory);
        await store.SaveAsync(Checkpoint("t", 0, """{"n":0}"""), CheckpointRetention.All, Ct);
        var folder = Directory.GetDirectories(_directory).Single();

        // What a process killed in the middle of writing step 1 leaves behind: a partial temporary file.
        var torn = Path.Combine(folder, "0000000000000000001.json.0123456789abcdef.tmp");
        await File.WriteAllTextAsync(torn, """{"threadId":"t","step":1,"sta""", Ct);

        Assert.Equal(0, (await store.GetAsync("t", cancellationToken: Ct))!.Step);
        await store.SaveAsync(Checkpoint("t", 1, """{"n":1}"""), CheckpointRetention.All, Ct);
        Assert.False(File.Exists(torn));
        Assert.Equal(1, (await store.GetAsync("t", cancellationToken: Ct))!.State.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task GetAsync_DamagedCheckpointFile_ThrowsInvalidDataNamingTheFile()
    {
        var store = new FileCheckpointStore(_directory);
        await store.SaveAsync(Checkpoint("t", 0), CheckpointRetention.All, Ct);
        var file = Directory.GetFiles(_directory, "*.json", SearchOption.AllDirectories).Single();
        await File.WriteAllTextAsync(file, "not json", Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.GetAsync("t", cancellationToken: Ct));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_SameDirectoryLater_SeesEarlierCheckpoints()
    {
        await new FileCheckpointStore(_directory).SaveAsync(Checkpoint("t", 5), CheckpointRetention.All, Ct);

        var reopened = new FileCheckpointStore(_directory);

        Assert.Equal(5, (await reopened.GetAsync("t", cancellationToken: Ct))!.Step);
        Assert.Equal(Path.GetFullPath(_directory), reopened.DirectoryPath);
    }

    [Fact]
    public void Constructor_BlankDirectory_Throws()
        => Assert.Throws<ArgumentException>(() => new FileCheckpointStore(" "));
}
