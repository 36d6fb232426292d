using System.Text.Json;
using Chains.Agents.Graph;
using Chains.Testing.Agents;

namespace Chains.Tests.Agents.Graph;

public sealed class InMemoryCheckpointStoreTests : CheckpointStoreContractTests
{
    protected override ICheckpointStore CreateStore() => new InMemoryCheckpointStore();

    [Fact]
    public async Task SaveAsync_CallerDisposesTheStateDocument_StoredStateUnaffected()
    {
        var store = new InMemoryCheckpointStore();
        using (var document = JsonDocument.Parse("""{"n":42}"""))
        {
            await store.SaveAsync(Checkpoint("t", 0) with { State = document.RootElement }, CheckpointRetention.All, Ct);
        }

        Assert.Equal(42, (await store.GetAsync("t", cancellationToken: Ct))!.State.GetProperty("n").GetInt32());
    }
}
