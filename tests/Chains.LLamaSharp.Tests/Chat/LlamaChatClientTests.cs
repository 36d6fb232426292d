using System.Text;
using System.Text.Json;
using Chains.LLamaSharp.Tests.Support;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Chat;

/// <summary>The chat client against llama.cpp running the generated model (random weights: the text is gibberish, so
/// tests pin behaviour with seeds, grammars and counters).</summary>
public sealed class LlamaChatClientTests
{
    private const string RichSchema = """
        {
          "type": "object",
          "properties": {
            "id": { "type": "integer" },
            "name": { "type": "string", "minLength": 1, "maxLength": 10 },
            "score": { "type": "number" },
            "active": { "type": "boolean" },
            "kind": { "enum": ["cat", "dog", 3, null] },
            "version": { "const": "v1" },
            "nothing": { "type": "null" },
            "tags": { "type": "array", "items": { "type": "string", "maxLength": 4 }, "minItems": 1, "maxItems": 3 },
            "owner": { "$ref": "#/$defs/person" },
            "contact": { "anyOf": [ { "type": "string", "maxLength": 8 }, { "type": "integer" }, { "$ref": "#/$defs/person" } ] },
            "note": { "type": ["string", "null"], "maxLength": 6 }
          },
          "required": ["id", "name", "kind", "version", "tags", "owner"],
          "additionalProperties": false,
          "$defs": {
            "person": {
              "type": "object",
              "properties": {
                "first": { "type": "string", "maxLength": 6 },
                "age": { "type": "integer" },
                "pet": { "type": "object", "properties": { "name": { "type": "string", "maxLength": 5 } }, "required": ["name"], "additionalProperties": false }
              },
              "required": ["first"],
              "additionalProperties": false
            }
          }
        }
        """;

    private const string WeatherSchema = """
        {"type":"object","properties":{"city":{"type":"string","minLength":1,"maxLength":12},"days":{"type":"integer"},"unit":{"enum":["C","F"]}},"required":["city","days"],"additionalProperties":false}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetResponseAsync_SimplePrompt_ReportsModelUsageAndFinishReason()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();

        var response = await client.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 12, Seed = 3 }, Ct);

        Assert.Equal("tiny-test-llama", response.ModelId);
        Assert.StartsWith("llama-", response.ResponseId, StringComparison.Ordinal);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 5);
        Assert.InRange(response.Usage.OutputTokenCount!.Value, 1, 12);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
        Assert.Equal(response.Usage.OutputTokenCount == 12 ? ChatFinishReason.Length : ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ChineseAndEmojiFromByteTokens_NeverSplitsACharacter()
    {
        const string Expected = "你好，世界🙂！";
        using var model = TestModels.Load();
        using var client = model.AsChatClient();
        var options = new ChatOptions { Seed = 1 }.WithGrammar(GbnfGrammar.Parse($"root ::= \"{Expected}\""));

        var chunks = new List<string>();
        UsageDetails? usage = null;
        await foreach (var update in client.GetStreamingResponseAsync("Say hello in Chinese", options, Ct))
        {
            if (update.Text.Length > 0)
            {
                chunks.Add(update.Text);
            }

            usage ??= update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
        }

        Assert.Equal(Expected, string.Concat(chunks));
        Assert.All(chunks, chunk =>
        {
            Assert.DoesNotContain('\uFFFD', chunk);
            Assert.False(char.IsHighSurrogate(chunk[^1]), "a chunk ends in half a surrogate pair");
            Assert.False(char.IsLowSurrogate(chunk[0]), "a chunk starts with half a surrogate pair");
        });

        // The vocabulary has no CJK or emoji pieces: every character arrived as 3-4 byte tokens, yet came out whole.
        Assert.True(usage!.OutputTokenCount >= Encoding.UTF8.GetByteCount("你好，世界🙂！"), $"only {usage.OutputTokenCount} tokens");
        Assert.True(chunks.Count >= 4, $"expected the characters to stream one by one, got {chunks.Count} chunks");
    }

    [Fact]
    public async Task GetResponseAsync_SameSeed_SameOutput()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();
        var options = new ChatOptions { Seed = 1234, Temperature = 1f, MaxOutputTokens = 24 };

        var first = await client.GetResponseAsync("Tell me a story", options, Ct);
        var second = await client.GetResponseAsync("Tell me a story", options, Ct);
        var other = await client.GetResponseAsync("Tell me a story", new ChatOptions { Seed = 99, Temperature = 1f, MaxOutputTokens = 24 }, Ct);

        Assert.Equal(first.Text, second.Text);
        Assert.NotEqual(first.Text, other.Text);
        Assert.True(second.Usage!.CachedInputTokenCount > 0, "the repeated prompt should come from the KV cache");
    }

    [Fact]
    public async Task GetResponseAsync_TemperatureZero_IgnoresSeed()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();

        var a = await client.GetResponseAsync("Hi", new ChatOptions { Temperature = 0, Seed = 1, MaxOutputTokens = 16 }, Ct);
        var b = await client.GetResponseAsync("Hi", new ChatOptions { Temperature = 0, Seed = 2, MaxOutputTokens = 16 }, Ct);

        Assert.Equal(a.Text, b.Text);
    }

    [Fact]
    public async Task GetResponseAsync_TopKOneOrTinyTopP_EqualsGreedy()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();

        var greedy = await client.GetResponseAsync("Hi", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 }, Ct);
        var topK = await client.GetResponseAsync("Hi", new ChatOptions { Temperature = 1.5f, TopK = 1, Seed = 5, MaxOutputTokens = 16 }, Ct);
        var topP = await client.GetResponseAsync("Hi", new ChatOptions { Temperature = 1.5f, TopP = 1e-6f, Seed = 6, MaxOutputTokens = 16 }, Ct);
        var free = await client.GetResponseAsync("Hi", new ChatOptions { Temperature = 1.5f, TopK = 0, TopP = 1f, Seed = 6, MaxOutputTokens = 16 }, Ct);

        Assert.Equal(greedy.Text, topK.Text);
        Assert.Equal(greedy.Text, topP.Text);
        Assert.NotEqual(greedy.Text, free.Text);
    }

    [Fact]
    public async Task GetResponseAsync_PresencePenalty_StopsRepeatingTokens()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();
        // Letters that occur in no multi-letter piece of the vocabulary: each comes from exactly two tokens.
        var letters = GbnfGrammar.Parse("root ::= [bcdfghjkpqvwxz]{24}");

        var plain = await client.GetResponseAsync("Letters", new ChatOptions { Temperature = 0 }.WithGrammar(letters), Ct);
        var penalised = await client.GetResponseAsync("Letters", new ChatOptions { Temperature = 0, PresencePenalty = 100 }.WithGrammar(letters), Ct);

        // Each of these letters is two tokens (a piece and a byte token): with the penalty no token repeats, so no
        // letter appears more than twice; greedy decoding of the random model loops.
        Assert.Equal(24, penalised.Text.Length);
        Assert.All(penalised.Text.GroupBy(c => c), g => Assert.True(g.Count() <= 2, $"'{g.Key}' appears {g.Count()} times"));
        Assert.Contains(plain.Text.GroupBy(c => c), g => g.Count() > 2);
    }

    [Fact]
    public async Task GetResponseAsync_StopSequenceAcrossTokens_EndsBeforeItAndOmitsIt()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();
        var options = new ChatOptions { Seed = 2, StopSequences = ["STOP"] }.WithGrammar(GbnfGrammar.Parse("root ::= \"hello ST\" \"OP world\""));

        var response = await client.GetResponseAsync("Go", options, Ct);
        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync("Go", options, Ct))
        {
            streamed.Append(update.Text);
        }

        // "STOP" has no piece in the vocabulary: it is matched over several byte tokens and never emitted.
        Assert.Equal("hello ", response.Text);
        Assert.Equal("hello ", streamed.ToString());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_MaxOutputTokensReached_FinishesWithLength()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();
        var options = new ChatOptions { Seed = 2, MaxOutputTokens = 5 }.WithGrammar(GbnfGrammar.Parse("root ::= [a-z]{30}"));

        var response = await client.GetResponseAsync("Go", options, Ct);

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(5, response.Usage!.OutputTokenCount);
        Assert.Equal(5, response.Text.Length);
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaFormat_EveryOutputOfTwentySeedsValidates()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 1536, sequences: 5));
        using var client = model.AsChatClient();
        var schemaJson = JsonDocument.Parse(RichSchema).RootElement;
        var validator = JsonSchema.FromText(RichSchema);

        // Twenty seeds, five at a time (batched in one decode per step).
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(seed => client.GetResponseAsync(
            "Describe a pet as JSON",
            new ChatOptions { Seed = seed, Temperature = 1f, MaxOutputTokens = 700, ResponseFormat = ChatResponseFormat.ForJsonSchema(schemaJson, "pet") },
            Ct)));

        Assert.All(responses.Select((response, seed) => (response, seed)), r =>
        {
            Assert.Equal(ChatFinishReason.Stop, r.response.FinishReason);
            using var document = JsonDocument.Parse(r.response.Text);
            var result = validator.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"seed {r.seed}: {r.response.Text}\n{string.Join("\n", result.Details?.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")) ?? [])}");
        });
        Assert.True(responses.Select(r => r.Text).Distinct().Count() > 15, "the seeds should give different objects");
    }

    [Fact]
    public async Task GetResponseAsync_JsonFormat_CompletedOutputsAreJsonObjects()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 1024));
        using var client = model.AsChatClient();
        var completed = 0;

        for (var seed = 0; seed < 8; seed++)
        {
            var response = await client.GetResponseAsync("JSON please", new ChatOptions { Seed = seed, MaxOutputTokens = 120, ResponseFormat = ChatResponseFormat.Json }, Ct);
            Assert.StartsWith("{", response.Text, StringComparison.Ordinal);
            if (response.FinishReason == ChatFinishReason.Stop)
            {
                using var document = JsonDocument.Parse(response.Text);
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
                completed++;
            }
        }

        Assert.True(completed >= 2, $"only {completed} of 8 responses completed");
    }

    [Fact]
    public async Task GetResponseAsync_ToolRequired_ReturnsCallsWithArgumentsValidAgainstTheToolSchema()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 1536));
        using var client = model.AsChatClient();
        var tool = new SchemaFunction("get_weather", WeatherSchema, _ => "sunny");
        var other = AIFunctionFactory.Create((bool metric) => metric ? "C" : "F", "get_units");
        var validator = JsonSchema.FromText(tool.JsonSchema.GetRawText());

        for (var seed = 0; seed < 5; seed++)
        {
            var response = await client.GetResponseAsync(
                "What's the weather in Paris?",
                new ChatOptions { Seed = seed, Tools = [tool, other], ToolMode = ChatToolMode.RequireSpecific("get_weather"), MaxOutputTokens = 400 },
                Ct);

            Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            Assert.NotEmpty(calls);
            Assert.All(calls, call =>
            {
                Assert.Equal("get_weather", call.Name);
                Assert.False(string.IsNullOrEmpty(call.CallId));
                var arguments = JsonSerializer.SerializeToElement(call.Arguments);
                Assert.True(validator.Evaluate(arguments).IsValid, arguments.GetRawText());
            });
            Assert.Equal(calls.Count, calls.Select(c => c.CallId).Distinct().Count());
        }
    }

    [Fact]
    public async Task GetResponseAsync_AIFunctionFactoryTool_ArgumentsMatchItsGeneratedSchema()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 2048));
        using var client = model.AsChatClient();
        var tool = AIFunctionFactory.Create((string city, int days, bool metric) => $"{city} {days} {metric}", "forecast");
        var validator = JsonSchema.FromText(tool.JsonSchema.GetRawText());

        var response = await client.GetResponseAsync(
            "Forecast?",
            new ChatOptions { Seed = 5, Tools = [tool], ToolMode = ChatToolMode.RequireAny, AllowMultipleToolCalls = false, MaxOutputTokens = 1500 },
            Ct);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("forecast", call.Name);
        Assert.True(validator.Evaluate(JsonSerializer.SerializeToElement(call.Arguments)).IsValid);
        Assert.Equal(["city", "days", "metric"], call.Arguments!.Keys.Order());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolRequired_StreamsTheCallsAsFunctionCallContent()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 1536));
        using var client = model.AsChatClient();
        var tool = new SchemaFunction("echo_city", """{"type":"object","properties":{"city":{"type":"string","maxLength":8}},"required":["city"]}""", a => a["city"]);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Echo", new ChatOptions { Seed = 4, Tools = [tool], ToolMode = ChatToolMode.RequireAny, AllowMultipleToolCalls = false, MaxOutputTokens = 300 }, Ct))
        {
            updates.Add(update);
        }

        // Tool-call markup is never streamed as text: the calls arrive parsed, in the final update.
        Assert.All(updates, u => Assert.DoesNotContain("<tool_call>", u.Text, StringComparison.Ordinal));
        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("echo_city", call.Name);
        Assert.IsType<JsonElement>(call.Arguments!["city"]);
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
    }

    [Fact]
    public async Task UseFunctionInvocation_ToolRoundTrip_InvokesTheToolAndAnswers()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 2048));
        var invocations = new List<AIFunctionArguments>();
        var tool = new SchemaFunction("get_weather", WeatherSchema, arguments =>
        {
            invocations.Add(arguments);
            return "sunny";
        });
        using var client = new ChatClientBuilder(model.AsChatClient()).UseFunctionInvocation(configure: c => c.MaximumIterationsPerRequest = 3).Build();

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Weather in Paris for 2 days?")],
            new ChatOptions { Seed = 11, Tools = [tool], ToolMode = ChatToolMode.RequireAny, AllowMultipleToolCalls = false, MaxOutputTokens = 200 },
            Ct);

        Assert.NotEmpty(invocations);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var call = contents.OfType<FunctionCallContent>().First();
        var result = contents.OfType<FunctionResultContent>().First();
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal("sunny", result.Result?.ToString());
        Assert.Contains(response.Messages, m => m.Role == ChatRole.Tool);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidGeneration_ThrowsAndTheClientStaysUsable()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new ChatOptions { Seed = 3, MaxOutputTokens = 500 }.WithGrammar(GbnfGrammar.Parse("root ::= [a-z]{400}"));
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Go", options, cts.Token))
            {
                if (++received == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        var after = await client.GetResponseAsync("Again", new ChatOptions { Seed = 3, MaxOutputTokens = 4 }, Ct);
        Assert.InRange(after.Usage!.OutputTokenCount!.Value, 1, 4);
        Assert.True(model.GetStatistics().GeneratedTokens < 100, "the cancelled request kept generating");
        Assert.Equal(0, model.GetStatistics().ActiveRequests);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConsumerStopsEarly_GenerationStops()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();
        var options = new ChatOptions { Seed = 3, MaxOutputTokens = 500 }.WithGrammar(GbnfGrammar.Parse("root ::= [a-z]{400}"));

        await foreach (var update in client.GetStreamingResponseAsync("Go", options, Ct))
        {
            break;
        }

        var after = await client.GetResponseAsync("Again", new ChatOptions { Seed = 3, MaxOutputTokens = 4 }, Ct);
        Assert.NotNull(after.FinishReason);
        Assert.True(model.GetStatistics().GeneratedTokens < 100, $"generated {model.GetStatistics().GeneratedTokens} tokens");
    }

    [Fact]
    public async Task GetResponseAsync_FiftyConcurrentRequests_AllCompleteWithoutCrossTalk()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 256, sequences: 4));
        using var client = model.AsChatClient();

        var tasks = Enumerable.Range(0, 50).Select(i => Task.Run(
            async () =>
            {
                var options = new ChatOptions { Seed = i, MaxOutputTokens = 12 }.WithGrammar(GbnfGrammar.Parse($"root ::= \"req-{i} \" [a-z]{{3}}"));
                var response = await client.GetResponseAsync($"Request number {i}", options, Ct);
                return (i, response);
            },
            Ct)).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r =>
        {
            Assert.Matches($"^req-{r.i} [a-z]{{3}}$", r.response.Text);
            Assert.Equal(ChatFinishReason.Stop, r.response.FinishReason);
        });
        var stats = model.GetStatistics();
        Assert.Equal(0, stats.ActiveRequests);
        Assert.Equal(0, stats.QueuedRequests);
    }

    [Fact]
    public async Task GetResponseAsync_ConversationContinues_OnlyTheNewTurnIsEvaluated()
    {
        using var model = TestModels.Load(TestModels.Options(sequences: 1));
        using var client = model.AsChatClient();
        List<ChatMessage> history = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "hello there, how are you today?")];
        var options = new ChatOptions { Seed = 8, MaxOutputTokens = 10, Temperature = 0 };

        var first = await client.GetResponseAsync(history, options, Ct);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "and the weather?"));
        var before = model.GetStatistics();
        var second = await client.GetResponseAsync(history, options, Ct);
        var after = model.GetStatistics();

        var usage = second.Usage!;
        Assert.True(usage.CachedInputTokenCount >= first.Usage!.InputTokenCount, $"cached {usage.CachedInputTokenCount} of a {first.Usage.InputTokenCount}-token first prompt");
        var evaluated = after.EvaluatedTokens - before.EvaluatedTokens;

        // Evaluated: the prompt tokens not in the cache, plus each generated token but the last fed back.
        Assert.Equal(usage.InputTokenCount - usage.CachedInputTokenCount + usage.OutputTokenCount - 1, evaluated);
        Assert.True(evaluated < usage.InputTokenCount, $"evaluated {evaluated} tokens for a {usage.InputTokenCount}-token prompt");
    }

    [Fact]
    public async Task GetResponseAsync_ModelWithoutChatTemplate_FallsBackToChatMl()
    {
        var path = TinyModel.Write(new TinyModelSpec { ChatTemplate = null, Name = null }, "no-template.gguf");
        using var model = TestModels.Load(path: path);
        using var client = model.AsChatClient();

        var response = await client.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 3, Seed = 1 }, Ct);

        Assert.Equal("no-template", response.ModelId);
        Assert.NotNull(response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_InvalidOptions_ThrowArgumentExceptions()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync("x", new ChatOptions { MaxOutputTokens = 0 }, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync("x", new ChatOptions { Temperature = -1 }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("x", new ChatOptions { ToolMode = ChatToolMode.RequireAny }, Ct));
        var tool = AIFunctionFactory.Create(() => 1, "one");
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("x", new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireSpecific("two") }, Ct));
    }

    [Fact]
    public async Task GetResponseAsync_PromptLongerThanTheContext_ThrowsContextOverflowBeforeAnyDecode()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 64, sequences: 4));
        using var client = model.AsChatClient();

        var ex = await Assert.ThrowsAsync<LlamaContextOverflowException>(() => client.GetResponseAsync(new string('x', 400), null, Ct));

        Assert.Equal(419, ex.PromptTokens);
        Assert.Equal(64, ex.ContextSize);
        Assert.Contains("419 tokens", ex.Message, StringComparison.Ordinal);
        Assert.Contains("64-token context", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TokenBudgetChatReducer", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LlamaModelOptions.ContextSize", ex.Message, StringComparison.Ordinal);
        Assert.Equal(default, model.GetStatistics());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ChinesePromptLongerThanTheContext_ThrowsContextOverflowAndTheClientStaysUsable()
    {
        using var model = TestModels.Load(TestModels.Options(contextSize: 64, sequences: 4));
        using var client = model.AsChatClient();
        List<ChatMessage> tooLong = [new(ChatRole.User, string.Concat(Enumerable.Repeat("今天巴黎的天气怎么样？", 4)))];

        var ex = await Assert.ThrowsAsync<LlamaContextOverflowException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(tooLong, null, Ct))
            {
                Assert.Fail($"No update may arrive, got '{update.Text}'.");
            }
        });

        // The counter counts as the client renders, so the prompt's size is what the exception reports (plus the
        // assistant's opening the template adds).
        var counted = model.AsTokenCounter().CountTokens(tooLong[0]);
        Assert.InRange(ex.PromptTokens, counted + 1, counted + 16);
        Assert.Equal(64, ex.ContextSize);
        Assert.Contains($"{ex.PromptTokens} tokens", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.GetStatistics().EvaluatedTokens);

        var response = await client.GetResponseAsync("你好", new ChatOptions { MaxOutputTokens = 4, Seed = 1 }, Ct);

        Assert.InRange(response.Usage!.OutputTokenCount!.Value, 1, 4);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount - 1, model.GetStatistics().EvaluatedTokens);
    }

    [Fact]
    public void GetService_KnownTypes_ReturnsMetadataAndModel()
    {
        using var model = TestModels.Load();
        using var client = model.AsChatClient();

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.Equal("llama.cpp", metadata?.ProviderName);
        Assert.Equal("tiny-test-llama", metadata?.DefaultModelId);
        Assert.Same(model, client.GetService<LlamaModel>());
        Assert.Null(client.GetService<ChatClientMetadata>("key"));
    }
}
