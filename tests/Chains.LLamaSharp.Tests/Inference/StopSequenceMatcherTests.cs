using Chains.LLamaSharp.Inference;

namespace Chains.LLamaSharp.Tests.Inference;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Add_StopSplitOverChunks_HoldsThePossiblePrefixAndDropsTheMatch()
    {
        var matcher = new StopSequenceMatcher(["</answer>"]);

        Assert.Equal("The ", matcher.Add("The "));
        Assert.Equal("end", matcher.Add("end</an"));
        Assert.Equal(string.Empty, matcher.Add("swer> ignored"));
        Assert.True(matcher.Matched);
        Assert.Equal(string.Empty, matcher.Add("more"));
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Add_PrefixThatDoesNotComplete_IsReleased()
    {
        var matcher = new StopSequenceMatcher(["STOP"]);

        Assert.Equal("a", matcher.Add("aST"));
        Assert.Equal("STa", matcher.Add("aSTO"));
        Assert.False(matcher.Matched);
        Assert.Equal(string.Empty, matcher.Add(string.Empty));
        Assert.Equal("STO", matcher.Flush());
    }

    [Fact]
    public void Add_SeveralStops_TheEarliestWins()
    {
        var matcher = new StopSequenceMatcher(["world", "lo w", ""]);

        Assert.Equal("hel", matcher.Add("hello world"));
        Assert.True(matcher.Matched);
    }

    [Fact]
    public void Add_NoStops_PassesTextThrough()
    {
        var matcher = new StopSequenceMatcher([]);

        Assert.Equal("anything", matcher.Add("anything"));
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Add_StopAfterEmoji_NeverSplitsASurrogatePair()
    {
        var matcher = new StopSequenceMatcher(["\uD83D\uDE00X"]);

        var emitted = matcher.Add("a\uD83D\uDE00");

        Assert.Equal("a", emitted);
        Assert.Equal("\uD83D\uDE00", matcher.Flush());
    }
}
