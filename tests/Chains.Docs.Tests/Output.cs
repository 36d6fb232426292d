namespace Chains.Docs.Tests;

/// <summary>What the current test printed to the console (captured by <c>[assembly: CaptureConsole]</c>).</summary>
internal static class Output
{
    /// <summary>Gets the text the current test has written so far, line endings as <c>\n</c>.</summary>
    public static string Current
        => (TestContext.Current.TestOutputHelper ?? throw new InvalidOperationException("No test is running.")).Output.ReplaceLineEndings("\n");
}
