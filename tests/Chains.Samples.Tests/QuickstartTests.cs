namespace Chains.Samples.Tests;

public sealed class QuickstartTests
{
    [Fact]
    public async Task Run_NoModelConfigured_ExplainsHowToConfigureOneAndExits2()
    {
        var (exitCode, _, error) = await SampleProcess.RunAsync("Quickstart", [], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("CHAINS_OPENAI_ENDPOINT", error, StringComparison.Ordinal);
        Assert.Contains("CHAINS_OPENAI_MODEL", error, StringComparison.Ordinal);
    }
}
