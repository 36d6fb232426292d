using Chains.Indexes.Embeddings;

namespace Chains.Tests.Indexes.Embeddings;

public sealed class TokenBudgetBatchingOptionsTests
{
    [Fact]
    public void Constructor_Defaults_AreValidAndSequential()
    {
        var options = new TokenBudgetBatchingOptions();

        Assert.Equal(8_192, options.MaxTokensPerBatch);
        Assert.Equal(128, options.MaxBatchSize);
        Assert.Equal(1, options.MaxDegreeOfParallelism);
        Assert.Null(options.TokenCounter);
        Assert.Null(Record.Exception(options.Validate));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("abc", 1)]
    [InlineData("abcd", 1)]
    [InlineData("abcde", 2)]
    public void EstimateTokens_Text_IsCharactersOverFourRoundedUp(string text, int expected)
        => Assert.Equal(expected, TokenBudgetBatchingOptions.EstimateTokens(text));

    [Theory]
    [InlineData(nameof(TokenBudgetBatchingOptions.MaxTokensPerBatch))]
    [InlineData(nameof(TokenBudgetBatchingOptions.MaxBatchSize))]
    [InlineData(nameof(TokenBudgetBatchingOptions.MaxDegreeOfParallelism))]
    public void Validate_Zero_ThrowsNamingTheOption(string option)
    {
        var options = new TokenBudgetBatchingOptions();
        typeof(TokenBudgetBatchingOptions).GetProperty(option)!.SetValue(options, 0);

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(option, error.ParamName);
        Assert.Equal(0, error.ActualValue);
    }
}
