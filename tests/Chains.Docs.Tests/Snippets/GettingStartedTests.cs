using Chains.Docs.Snippets;
using Chains.Docs.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Tests.Snippets;

[Collection(MiniLmCollection.Name)]
public sealed class GettingStartedTests
{
    [Fact]
    public void CreateClient_BuildsAnOpenAICompatibleClientForTheEndpointAndModel()
    {
        using var client = GettingStarted.CreateClient();

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("qwen2.5:7b", metadata.DefaultModelId);
        Assert.Equal(new Uri("http://localhost:11434/v1"), metadata.ProviderUri);
    }

    [Fact]
    public async Task FirstChain_FormatsThePromptAndReturnsTheModelsText()
    {
        var model = TestChatClient.Echo();

        var answer = await GettingStarted.FirstChainAsync(model);

        Assert.Equal("Explain vector databases in one sentence. Answer in English.", answer);
        Assert.Equal(1, model.Calls);
        Assert.Contains(answer, Output.Current);
    }

    [Fact]
    public async Task Stream_PrintsTheDeltasOfOneStreamingCall()
    {
        var model = TestChatClient.Echo();

        await GettingStarted.StreamAsync(model);

        Assert.Equal(1, model.StreamingCalls);
        Assert.Equal("Explain streaming in one sentence. Answer in 中文.", Output.Current);
    }

    [Fact]
    public async Task AskYourText_RetrievesTheStreamingNoteAndCitesIt()
    {
        var model = TestChatClient.Extractive();

        var answer = await GettingStarted.AskYourTextAsync(model);

        Assert.Equal("stream", answer.Passages[0].Id);
        var citation = Assert.Single(answer.Citations);
        Assert.Equal(1, citation.Number);
        Assert.Equal("stream.md", citation.Passage.Source);
        Assert.True(answer.IsFullySupported, string.Join(" | ", answer.Sentences));
        Assert.Contains("[1] stream.md", Output.Current);
    }
}
