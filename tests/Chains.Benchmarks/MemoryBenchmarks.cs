using System.Text;
using BenchmarkDotNet.Attributes;
using Chains.Memory;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Chains.Benchmarks;

/// <summary>
/// Reducing a 1,000-message history (system prompt, user/assistant turns, tool calls with their results, English and
/// Chinese) against the hand-written baseline <c>messages.Skip(n - 20)</c>: the tool-safe window of 20 messages, the
/// token budget of 2,000 tokens counted with a real Microsoft.ML.Tokenizers BERT WordPiece tokenizer (built offline from
/// an in-memory vocabulary), and the worst case where the whole history fits and every message is counted.
/// Token budget variants: "Warm" reuses the reducer (the same message instances again: a tool loop, an in-memory
/// history); "Reloaded" uses a new reducer over the same counter (equal messages read back from a file store: the
/// counter's content cache answers); "Cold" uses a new counter too, so every counted message is tokenized.
/// </summary>
[BenchmarkCategory("memory")]
public class MemoryBenchmarks
{
    private static readonly string[] Words =
    [
        "what", "is", "the", "weather", "in", "paris", "tokyo", "please", "remember", "my", "name", "sunny", "rain",
        "你好", "北京的天气", "是", "我", "degrees", "helpful", "call", "result", "and", "you",
    ];

    private List<ChatMessage> _history = null!;
    private WindowChatReducer _window = null!;
    private TokenBudgetChatReducer _budget = null!;
    private TokenBudgetChatReducer _budgetAllFit = null!;
    private ITokenCounter _counter = null!;
    private Tokenizer _tokenizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _history = [new ChatMessage(ChatRole.System, "You are a helpful assistant. 请用中文回答。")];
        var callId = 0;
        while (_history.Count < 1000)
        {
            _history.Add(new ChatMessage(ChatRole.User, Text(random, 8, 30)));
            if (random.Next(5) == 0)
            {
                var id = $"call{callId++}";
                _history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(id, "get_weather", new Dictionary<string, object?> { ["city"] = "北京" })]));
                _history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(id, Text(random, 5, 15))]));
            }

            _history.Add(new ChatMessage(ChatRole.Assistant, Text(random, 10, 60)));
        }

        _history.RemoveRange(1000, _history.Count - 1000);
        var vocabulary = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }
            .Concat(Words.Where(w => w.All(char.IsAscii)))
            .Concat("你好北京的天气是我请用中文回答".Select(c => c.ToString()))
            .Concat(["user", "assistant", "system", "tool", "get", "_", "{", "}", "\"", ":", ",", ".", "。", "?"])
            .Distinct();
        _tokenizer = BertTokenizer.Create(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', vocabulary))));
        _counter = TokenCounter.Create(_tokenizer);
        _window = new WindowChatReducer(20);
        _budget = new TokenBudgetChatReducer(_counter, 2_000);
        _budgetAllFit = new TokenBudgetChatReducer(_counter, 1_000_000);
    }

    [Benchmark(Baseline = true)]
    public int SkipBaseline() => _history.Skip(_history.Count - 20).ToList().Count;

    [Benchmark]
    public async Task<int> Window20() => (await _window.ReduceAsync(_history)).Count();

    [Benchmark]
    public async Task<int> TokenBudget2kWarm() => (await _budget.ReduceAsync(_history)).Count();

    [Benchmark]
    public async Task<int> TokenBudget2kReloaded() => (await new TokenBudgetChatReducer(_counter, 2_000).ReduceAsync(_history)).Count();

    [Benchmark]
    public async Task<int> TokenBudget2kCold() => (await new TokenBudgetChatReducer(TokenCounter.Create(_tokenizer), 2_000).ReduceAsync(_history)).Count();

    [Benchmark]
    public async Task<int> TokenBudgetAllFitWarm() => (await _budgetAllFit.ReduceAsync(_history)).Count();

    [Benchmark]
    public async Task<int> TokenBudgetAllFitReloaded() => (await new TokenBudgetChatReducer(_counter, 1_000_000).ReduceAsync(_history)).Count();

    [Benchmark]
    public async Task<int> TokenBudgetAllFitCold() => (await new TokenBudgetChatReducer(TokenCounter.Create(_tokenizer), 1_000_000).ReduceAsync(_history)).Count();

    private static string Text(Random random, int min, int max)
        => string.Join(' ', Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Words[random.Next(Words.Length)]));
}
