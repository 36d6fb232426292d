using System.Text.Json;
using Chains.Agents.Graph;

namespace Chains.Tests.Agents.Graph;

/// <summary>
/// A graph run survives the death of its process: tests/Chains.McpTestServer runs <see cref="CrashTestGraph"/> with a
/// <see cref="FileCheckpointStore"/>, the test kills it while a node is running, resumes the thread here from the files,
/// and compares the final state with an uninterrupted run.
/// </summary>
public sealed class GraphCrashResumeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chains-crash-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("search_b")]  // killed in a parallel step (search_a runs beside it)
    [InlineData("write")]     // killed right after a join
    [InlineData("revise")]    // killed inside the review loop
    public async Task ResumeAsync_ProcessKilledMidGraph_SameFinalStateAsAnUninterruptedRun(string killedIn)
    {
        const string thread = "crash-thread";
        var uninterrupted = await CrashTestGraph.Build(new StateGraphOptions()).RunAsync(CrashState.Empty, cancellationToken: Ct);

        using (var host = await TestHost.StartAsync("graph", _directory, thread, killedIn))
        {
            try
            {
                string? line;
                while ((line = await host.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromMinutes(1), Ct)) is not null && line != $"hanging in {killedIn}")
                {
                }

                if (line is null)
                {
                    Assert.Fail($"The host ended before reaching '{killedIn}': {await host.StandardError.ReadToEndAsync(Ct)}");
                }
            }
            finally
            {
                // Killed like a crash: no cleanup, no flush, no graceful shutdown.
                host.Kill(entireProcessTree: true);
                await host.WaitForExitAsync(Ct);
            }
        }

        var store = new FileCheckpointStore(_directory);
        var graph = CrashTestGraph.Build(new StateGraphOptions { CheckpointStore = store });
        var atCrash = await graph.GetStateAsync(thread, Ct);
        Assert.NotNull(atCrash);
        Assert.Equal(GraphStatus.Running, atCrash.Status);
        Assert.Contains(killedIn, atCrash.NextNodes);

        var resumed = await graph.ResumeAsync(thread, cancellationToken: Ct);

        Assert.Equal(GraphStatus.Completed, resumed.Status);
        Assert.Equal(Json(uninterrupted.State), Json(resumed.State));
        Assert.Equal(uninterrupted.Step, resumed.Step);

        var steps = new List<long>();
        await foreach (var checkpoint in store.ListAsync(thread, Ct))
        {
            steps.Add(checkpoint.Step);
        }

        Assert.Equal(Enumerable.Range(0, (int)resumed.Step + 1).Reverse().Select(s => (long)s), steps);
    }

    private static string Json(CrashState state) => JsonSerializer.Serialize(state, JsonSerializerOptions.Web);
}
