using Chains.Rag;

namespace Chains.Tests.Rag;

public sealed class AnswerSentencesTests
{
    [Fact]
    public void Split_MarkersAfterFullStop_BelongToTheSentenceBefore()
    {
        var sentences = AnswerSentences.Split("Paris is big. [1] It is old [2][3]. Fine!");

        Assert.Equal(["Paris is big.", "It is old.", "Fine!"], sentences.Select(s => s.Text));
        Assert.Equal([[1], [2, 3], []], sentences.Select(s => s.Citations.ToArray()));
    }

    [Fact]
    public void Split_ChinesePunctuation_EndsSentencesWithoutSpaces()
    {
        var sentences = AnswerSentences.Split("巴黎很大【1】。它很古老[2]！真的吗？是的。[1]");

        Assert.Equal(["巴黎很大。", "它很古老！", "真的吗？", "是的。"], sentences.Select(s => s.Text));
        Assert.Equal([[1], [2], [], [1]], sentences.Select(s => s.Citations.ToArray()));
    }

    [Fact]
    public void Split_DecimalsDomainsAndLowercaseAfterAbbreviation_DoNotSplit()
    {
        var sentences = AnswerSentences.Split("Pi is 3.14 per example.com [1]. See e.g. the docs [2].");

        Assert.Equal(["Pi is 3.14 per example.com.", "See e.g. the docs."], sentences.Select(s => s.Text));
    }

    [Fact]
    public void Split_LineBreaks_EndSentences()
    {
        var sentences = AnswerSentences.Split("- first item [1]\n- second item [2]");

        Assert.Equal(["- first item", "- second item"], sentences.Select(s => s.Text));
    }

    [Fact]
    public void Split_MarkersOnTheirOwnLine_MergeIntoThePreviousSentence()
    {
        var sentences = AnswerSentences.Split("Paris is big.\n[1][2]");

        var sentence = Assert.Single(sentences);
        Assert.Equal([1, 2], sentence.Citations);
        Assert.Equal(20, sentence.Span.End);
    }

    [Fact]
    public void Split_Spans_PointIntoTheAnswer()
    {
        const string answer = "  One [1].  Two [2]. ";

        var sentences = AnswerSentences.Split(answer);

        Assert.Equal(["One [1].", "Two [2]."], sentences.Select(s => answer.Substring(s.Span.Start, s.Span.Length)));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("[1，2]")]
    [InlineData("【1】［2］")]
    [InlineData("[1][2][1]")]
    [InlineData("[1、2]")]
    public void ReadCitations_MarkerStyles_ReadsEveryNumberOnce(string text)
        => Assert.Equal([1, 2], AnswerSentences.ReadCitations(text));
}
