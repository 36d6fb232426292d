using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Benchmarks;

public record JokeInput(string Topic)
{
    /// <summary>The chain every benchmark measures: prompt → model → string parser.</summary>
    public static Runnable<JokeInput, string> Chain(IChatClient client)
        => new PromptTemplate<JokeInput>("Tell me a joke about {Topic}.")
            .Pipe(client.AsRunnable())
            .Pipe(new StringOutputParser());
}

/// <summary>prompt → fake model → string parser, against formatting a string, calling the client and reading the text.</summary>
[BenchmarkCategory("chain")]
public class ChainInvokeBenchmarks
{
    private readonly BenchChatClient _client = new();
    private readonly JokeInput _input = new("chickens");
    private Runnable<JokeInput, string> _chain = null!;

    [GlobalSetup]
    public void Setup()
        => _chain = JokeInput.Chain(_client);

    [Benchmark(Baseline = true)]
    public async Task<string> HandWritten()
    {
        var prompt = $"Tell me a joke about {_input.Topic}.";
        var response = await _client.GetResponseAsync(prompt);
        return response.Text;
    }

    [Benchmark]
    public async Task<string> Chain() => await _chain.InvokeAsync(_input);
}

/// <summary>The same chain with an <see cref="ActivityListener"/> recording every span.</summary>
[BenchmarkCategory("chain")]
public class ChainWithListenerBenchmarks
{
    private readonly BenchChatClient _client = new();
    private readonly JokeInput _input = new("chickens");
    private Runnable<JokeInput, string> _chain = null!;
    private ActivityListener? _listener;

    [GlobalSetup]
    public void Setup()
    {
        _chain = JokeInput.Chain(_client);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ChainsTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [GlobalCleanup]
    public void Cleanup() => _listener?.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<string> HandWritten()
    {
        var prompt = $"Tell me a joke about {_input.Topic}.";
        var response = await _client.GetResponseAsync(prompt);
        return response.Text;
    }

    [Benchmark]
    public async Task<string> ChainWithListener() => await _chain.InvokeAsync(_input);
}

/// <summary>Three synchronous lambda steps, against calling the three functions directly.</summary>
[BenchmarkCategory("lambda")]
public class LambdaBenchmarks
{
    private static readonly Func<int, int> AddOne = x => x + 1;
    private static readonly Func<int, int> Double = x => x * 2;
    private static readonly Func<int, int> Square = x => x * x;
    private readonly Runnable<int, int> _one = Runnable.Lambda(AddOne);
    private readonly Runnable<int, int> _three = Runnable.Lambda(AddOne).Pipe(Double).Pipe(Square);
    private readonly int _value = 3;

    [Benchmark(Baseline = true)]
    public int HandWritten() => Square(Double(AddOne(_value)));

    [Benchmark]
    public async ValueTask<int> OneSyncLambda() => await _one.InvokeAsync(_value);

    [Benchmark]
    public async ValueTask<int> ThreeSyncLambdas() => await _three.InvokeAsync(_value);
}

/// <summary>The chain over 1,000 inputs, against a hand-written loop over the same work.</summary>
[BenchmarkCategory("batch")]
public class BatchBenchmarks
{
    private readonly BenchChatClient _client = new();
    private JokeInput[] _inputs = null!;
    private Runnable<JokeInput, string> _chain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _inputs = Enumerable.Range(0, 1000).Select(i => new JokeInput("topic " + i)).ToArray();
        _chain = JokeInput.Chain(_client);
    }

    [Benchmark(Baseline = true)]
    public async Task<string[]> HandWritten()
    {
        var results = new string[_inputs.Length];
        for (var i = 0; i < _inputs.Length; i++)
        {
            var response = await _client.GetResponseAsync($"Tell me a joke about {_inputs[i].Topic}.");
            results[i] = response.Text;
        }

        return results;
    }

    [Benchmark]
    public Task<IReadOnlyList<string>> Batch1000() => _chain.BatchAsync(_inputs);
}

/// <summary>Streaming the chain, against enumerating the client's stream and reading each delta.</summary>
[BenchmarkCategory("stream")]
public class StreamBenchmarks
{
    private readonly BenchChatClient _client = new();
    private readonly JokeInput _input = new("chickens");
    private Runnable<JokeInput, string> _chain = null!;

    [GlobalSetup]
    public void Setup()
        => _chain = JokeInput.Chain(_client);

    [Benchmark(Baseline = true)]
    public async Task<int> HandWritten()
    {
        var length = 0;
        await foreach (var update in _client.GetStreamingResponseAsync($"Tell me a joke about {_input.Topic}."))
        {
            length += update.Text.Length;
        }

        return length;
    }

    [Benchmark]
    public async Task<int> Stream()
    {
        var length = 0;
        await foreach (var delta in _chain.StreamAsync(_input))
        {
            length += delta.Length;
        }

        return length;
    }
}
