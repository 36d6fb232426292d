using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Runnables;

public sealed class ChunkCombinerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Result_StringChunks_Concatenated()
    {
        var combiner = new ChunkCombiner<string>();
        combiner.Add("a");
        combiner.Add("bc");

        Assert.Equal("abc", combiner.Result);
    }

    [Fact]
    public void Result_NoChunks_IsEmptyValueForDeltaTypes()
    {
        Assert.Equal(string.Empty, new ChunkCombiner<string>().Result);
        Assert.Empty(new ChunkCombiner<ChatResponse>().Result.Messages);
        Assert.Equal(0, new ChunkCombiner<int>().Result);
    }

    [Fact]
    public void Result_ChatResponseChunks_MergedIntoOneMessageWithUsage()
    {
        var combiner = new ChunkCombiner<ChatResponse>();
        combiner.Add(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hel") { MessageId = "m1" }) { ModelId = "m" });
        combiner.Add(new ChatResponse(new ChatMessage(ChatRole.Assistant, "lo") { MessageId = "m1" }) { FinishReason = ChatFinishReason.Stop });
        combiner.Add(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2 })]) { MessageId = "m1" }));

        var response = combiner.Result;

        Assert.Equal("Hello", Assert.Single(response.Messages).Text);
        Assert.Equal("m", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(3, response.Usage?.InputTokenCount);
        Assert.Equal(2, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public void Result_SnapshotChunks_LastWins()
    {
        var combiner = new ChunkCombiner<int[]>();
        combiner.Add([1]);
        combiner.Add([1, 2]);

        Assert.Equal([1, 2], combiner.Result);
    }

    [Fact]
    public async Task CombineAsync_EmptySnapshotStream_ThrowsInvalidOperation()
        => await Assert.ThrowsAsync<InvalidOperationException>(async () => await ChunkCombiner<int>.CombineAsync(Array.Empty<int>().ToAsyncEnumerable(), Ct));

    [Fact]
    public async Task CombineAsync_EmptyTextStream_ReturnsEmptyString()
        => Assert.Equal(string.Empty, await ChunkCombiner<string>.CombineAsync(Array.Empty<string>().ToAsyncEnumerable(), Ct));
}
