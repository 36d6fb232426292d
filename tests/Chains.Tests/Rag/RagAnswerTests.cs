using Chains.Indexes;
using Chains.Rag;

namespace Chains.Tests.Rag;

public sealed class RagAnswerTests
{
    [Fact]
    public void IsFullySupported_StreamingSnapshot_IsFalse()
        => Assert.False(new RagAnswer { Question = "q", Answer = "partial", Passages = [] }.IsFullySupported);

    [Fact]
    public void IsFullySupported_OneSentenceUnsupported_IsFalse()
    {
        var answer = new RagAnswer
        {
            Question = "q",
            Answer = "A [1]. B [1].",
            Passages = [],
            IsComplete = true,
            Sentences = [new("A.", new SourceSpan(0, 6), [1], true, 1, null), new("B.", new SourceSpan(7, 6), [1], false, 0, null)],
        };

        Assert.False(answer.IsFullySupported);
        Assert.True((answer with { Sentences = [answer.Sentences[0]] }).IsFullySupported);
    }
}
