// Semantic Kernel interop: an SK plugin as the tools of a Chains agent, and a Chains chain as an SK function.
// Runs on any OpenAI-compatible endpoint (CHAINS_OPENAI_ENDPOINT, CHAINS_OPENAI_MODEL, CHAINS_OPENAI_API_KEY); with no
// endpoint set it runs offline on a small scripted model, so every step below can be seen without a model server.
//   dotnet run --project samples/SemanticKernelInterop -- "Paris 今天天气怎么样？"
using System.ClientModel;
using Chains.Agents;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using OpenAI;
using SemanticKernelInterop;

Console.OutputEncoding = System.Text.Encoding.UTF8;

var endpoint = Environment.GetEnvironmentVariable("CHAINS_OPENAI_ENDPOINT");
var modelName = Environment.GetEnvironmentVariable("CHAINS_OPENAI_MODEL");
var apiKey = Environment.GetEnvironmentVariable("CHAINS_OPENAI_API_KEY");
IChatClient model;
if (string.IsNullOrWhiteSpace(endpoint))
{
    Console.WriteLine("Model: offline scripted model (set CHAINS_OPENAI_ENDPOINT and CHAINS_OPENAI_MODEL to use a real one).");
    model = new ScriptedModel();
}
else if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) || string.IsNullOrWhiteSpace(modelName))
{
    Console.Error.WriteLine($"CHAINS_OPENAI_ENDPOINT must be an absolute URL (e.g. http://localhost:11434/v1), not '{endpoint}', and CHAINS_OPENAI_MODEL must name a model.");
    return 2;
}
else
{
    Console.WriteLine($"Model: {modelName} at {endpointUri}");
    model = new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(apiKey) ? "unused" : apiKey), new OpenAIClientOptions { Endpoint = endpointUri })
        .GetChatClient(modelName)
        .AsIChatClient();
}

// 1. An ordinary Semantic Kernel: a plugin of C# methods and a function filter that reports each call.
var builder = Kernel.CreateBuilder();
builder.Plugins.AddFromType<TravelPlugin>("Travel");
var kernel = builder.Build();
kernel.FunctionInvocationFilters.Add(new ConsoleFilter());

// 2. The kernel's plugins as the tools of a Chains agent: each call runs through the kernel (filters included).
var tools = kernel.AsTools();
Console.WriteLine($"Kernel plugins as agent tools: {string.Join(", ", tools.Select(t => t.Name))}");
var agent = new AgentExecutor(model, tools, new AgentExecutorOptions
{
    Instructions = "You are a travel assistant. Use the tools for facts. Answer in the language of the question.",
});

var question = args.Length > 0 ? string.Join(' ', args) : "上海今天天气怎么样？";
Console.WriteLine($"> {question}");
var result = await agent.InvokeAsync(question);
foreach (var call in result.Steps.SelectMany(s => s.ToolCalls))
{
    Console.WriteLine($"  agent tool call: {call.Call.Name} -> {call.Status}: {call.Result?.Result}");
}

Console.WriteLine($"Agent answer ({result.StopReason}): {result.Text}");

// 3. A Chains chain as an SK function: a typed prompt, the model, a parser. The record's properties become the
//    function's parameters, so the kernel (or an SK agent or planner) calls it with named arguments.
var packingTip = new ChatPromptTemplate<Trip>(
        ChatMessageTemplate.System("Give one short packing tip."),
        ChatMessageTemplate.User("打包建议：{Days} 天的 {City} 之行"))
    .Pipe(model.AsRunnable())
    .Pipe(new StringOutputParser());
kernel.Plugins.Add(KernelPluginFactory.CreateFromFunctions("Chains", [packingTip.AsKernelFunction("packing_tip", "Suggests what to pack for a trip.")]));
var parameters = kernel.Plugins.GetFunction("Chains", "packing_tip").Metadata.Parameters;
Console.WriteLine($"Chains chain as SK function Chains.packing_tip({string.Join(", ", parameters.Select(p => $"{p.Name}: {p.Schema?.RootElement.GetProperty("type")}"))})");
var tip = await kernel.InvokeAsync<string>("Chains", "packing_tip", new KernelArguments { ["city"] = "上海", ["days"] = 3 });
Console.WriteLine($"kernel.InvokeAsync(\"Chains\", \"packing_tip\") -> {tip}");
return 0;

/// <summary>The packing-tip chain's typed input.</summary>
/// <param name="City">The destination.</param>
/// <param name="Days">How long the trip lasts.</param>
internal sealed record Trip(string City, int Days);
