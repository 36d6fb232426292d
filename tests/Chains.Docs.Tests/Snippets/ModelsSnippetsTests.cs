using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;

namespace Chains.Docs.Tests.Snippets;

[Collection(MiniLmCollection.Name)]
public sealed class ModelsSnippetsTests
{
    [Fact]
    public async Task ChatModel_InvokesAndStreamsWithTheGivenOptions()
    {
        var model = TestChatClient.Echo();

        var response = await ModelsSnippets.ChatModelAsync(model);

        Assert.Equal("Say hello in Chinese.", response.Text);
        Assert.Equal(2, model.Calls);
        Assert.Equal(1, model.StreamingCalls);
        Assert.All(model.Options, o => Assert.Equal(0f, o?.Temperature));
        Assert.Equal("Say hello in Chinese.\nSay hello in Chinese.", Output.Current);
    }

    [Fact]
    public async Task Embeddings_RelatedSentencesScoreFarAboveUnrelatedOnes()
    {
        var (related, unrelated) = await ModelsSnippets.EmbeddingsAsync();

        Assert.True(related > 0.5f, $"cat/mat {related}");
        Assert.True(related - unrelated > 0.4f, $"cat/mat {related} vs cat/stocks {unrelated}");
    }
}
