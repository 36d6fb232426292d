using Chains.Indexes.Retrievers;

namespace Chains.Tests.Indexes.Retrievers;

public class TextTermsTests
{
    [Fact]
    public void Tokenize_LatinText_LowerCasesWordsAndDropsPunctuation()
        => Assert.Equal(["hello", "world", "gpt4", "naïve"], TextTerms.Tokenize("Hello, WORLD! GPT4 — Naïve."));

    [Fact]
    public void Tokenize_ChineseRun_YieldsUnigramsAndBigrams()
        => Assert.Equal(["向", "向量", "量", "量库", "库"], TextTerms.Tokenize("向量库"));

    [Fact]
    public void Tokenize_MixedScripts_SplitsAtScriptBoundaries()
        => Assert.Equal(["使", "使用", "用", "pgvector", "存", "存储", "储"], TextTerms.Tokenize("使用PGVector存储"));

    [Fact]
    public void Tokenize_ChinesePunctuation_BreaksBigrams()
        => Assert.Equal(["北", "北京", "京", "上", "上海", "海"], TextTerms.Tokenize("北京，上海"));

    [Fact]
    public void Tokenize_JapaneseKanaAndKorean_AreTreatedAsCjk()
    {
        Assert.Equal(["カ", "カメ", "メ", "メラ", "ラ"], TextTerms.Tokenize("カメラ"));
        Assert.Equal(["한", "한국", "국"], TextTerms.Tokenize("한국"));
    }

    [Fact]
    public void Tokenize_SurrogatePairIdeograph_IsOneCharacter()
        => Assert.Equal(["𠀀", "𠀀中", "中"], TextTerms.Tokenize("𠀀中"));

    [Fact]
    public void Tokenize_QueryWithCjkRun_BigramsOnly()
        => Assert.Equal(["下雨", "雨了", "rain"], TextTerms.Tokenize("下雨了 rain", forQuery: true));

    [Fact]
    public void Tokenize_QueryWithLoneCjkCharacter_KeepsTheUnigram()
        => Assert.Equal(["猫", "cat", "狗"], TextTerms.Tokenize("猫 cat 狗", forQuery: true));
}
