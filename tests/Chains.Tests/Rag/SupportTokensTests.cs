using Chains.Rag;

namespace Chains.Tests.Rag;

public sealed class SupportTokensTests
{
    [Fact]
    public void Tokenize_English_DropsFunctionWordsAndFoldsPlurals()
        => Assert.Equal(["cat", "mat", "class"], SupportTokens.Tokenize("The Cats are on the mats, class."));

    [Fact]
    public void Tokenize_Chinese_MakesCharacterBigrams()
        => Assert.Equal(["巴黎", "黎是", "是首", "首都"], SupportTokens.Tokenize("巴黎是首都。"));

    [Fact]
    public void Tokenize_MixedScripts_SplitsAtScriptBoundaries()
        => Assert.Equal(["gpu", "加速", "2024", "年"], SupportTokens.Tokenize("GPU加速 2024年"));

    [Fact]
    public void Overlap_HalfOfTheClaimFound_IsOneHalf()
        => Assert.Equal(0.5, SupportTokens.Overlap(SupportTokens.Tokenize("Paris and Rome"), SupportTokens.Tokenize("Paris is a capital; Madrid too")), 3);

    [Fact]
    public void Overlap_ClaimWithoutTokens_IsZero()
        => Assert.Equal(0, SupportTokens.Overlap(SupportTokens.Tokenize("It is."), SupportTokens.Tokenize("It is.")));
}
