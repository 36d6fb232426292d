using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Chains.Agents;
using Microsoft.Extensions.AI;

namespace Chains.Benchmarks;

/// <summary>
/// One tool round trip — model asks for a tool, the tool runs, the model answers — through <see cref="AgentExecutor"/>,
/// against M.E.AI's bare <see cref="FunctionInvokingChatClient"/> doing the same work. The model is a fake that answers
/// at once, so the ratio is the executor's own overhead.
/// </summary>
[BenchmarkCategory("agent")]
public class AgentBenchmarks
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "What is the answer?")];
    private readonly AIFunction _tool = AIFunctionFactory.Create(() => 42, "answer", "Returns the answer.");
    private ToolThenTextClient _model = null!;
    private FunctionInvokingChatClient _baseline = null!;
    private ChatOptions _options = null!;
    private AgentExecutor _agent = null!;
    private AgentInput _input = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = new ToolThenTextClient();
        _baseline = new FunctionInvokingChatClient(_model);
        _options = new ChatOptions { Tools = [_tool] };
        _agent = new AgentExecutor(_model, [_tool]);
        _input = new AgentInput(Question);
    }

    [GlobalCleanup]
    public void Cleanup() => _baseline.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<string> FunctionInvokingChatClient() => (await _baseline.GetResponseAsync(Question, _options)).Text;

    [Benchmark]
    public async Task<string> AgentExecutor() => (await _agent.InvokeAsync(_input)).Text;

    /// <summary>Asks for the tool unless the last message holds its result, then answers: the same two turns for both
    /// sides, without state, so iterations are independent.</summary>
    private sealed class ToolThenTextClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var last = messages is IList<ChatMessage> list ? list[^1] : messages.Last();
            return Task.FromResult(last.Role == ChatRole.Tool
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "It is 42."))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "answer")])));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
