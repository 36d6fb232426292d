// The code of docs/concepts/prompts.md, compiled and run by tests/Chains.Docs.Tests.
using Chains.Parsing;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Snippets;

// <snippet:prompts-types>
public sealed record Ask(string Question, string Language);

public sealed record Turn(string Language, IReadOnlyList<ChatMessage> History, string Question);

public enum Sentiment
{
    Positive,
    Negative,
    Mixed,
}

public sealed record ReviewVerdict(Sentiment Sentiment, double Confidence, IReadOnlyList<string> Reasons);

public sealed record Review(string Text);
// </snippet:prompts-types>

/// <summary>The prompts page: templates, chat prompts with history, structured output.</summary>
public static class PromptsSnippets
{
    /// <summary>A typed text template.</summary>
    public static async Task<(PromptValue Prompt, string Chinese)> TemplateAsync()
    {
        // <snippet:prompts-template>
        var template = new PromptTemplate<Ask>("Answer in {Language}: {Question}");
        PromptValue prompt = await template.InvokeAsync(new Ask("What is RAG?", "中文"));

        // Variable names may be Chinese; a dictionary binds as well as a record.
        var chinese = new PromptTemplate("请用{语言}回答：{问题}");
        string text = chinese.Format(new Dictionary<string, string> { ["语言"] = "中文", ["问题"] = "什么是检索增强生成？" });
        // </snippet:prompts-template>
        return (prompt, text);
    }

    /// <summary>A chat prompt with a history placeholder, piped into a model.</summary>
    public static async Task<string> ChatHistoryAsync(IChatClient client)
    {
        // <snippet:prompts-chat>
        var prompt = new ChatPromptTemplate<Turn>(
            ChatMessageTemplate.System("You are a helpful assistant. Answer in {Language}."),
            ChatMessageTemplate.Placeholder("History", optional: true),
            ChatMessageTemplate.User("{Question}"));

        Runnable<Turn, string> chat = prompt.Pipe(client.AsRunnable()).Pipe(new StringOutputParser());

        List<ChatMessage> history =
        [
            new(ChatRole.User, "我叫李雷。"),
            new(ChatRole.Assistant, "你好，李雷！"),
        ];
        string reply = await chat.InvokeAsync(new Turn("中文", history, "我叫什么名字？"));
        // </snippet:prompts-chat>
        return reply;
    }

    /// <summary>Structured output: the schema goes to the model, the reply is parsed into a record.</summary>
    public static async Task<ReviewVerdict> StructuredAsync(IChatClient client)
    {
        // <snippet:prompts-structured>
        var parser = new StructuredOutputParser<ReviewVerdict>();

        var prompt = new PromptTemplate("Classify the sentiment of the review.\n{format}\n\nReview: {Text}")
            .WithPartial("format", parser.FormatInstructions)   // the JSON schema, for models without structured output
            .AsRunnable<Review>();

        Runnable<Review, ReviewVerdict> classify = prompt
            .Pipe(client.AsRunnable(parser.CreateChatOptions()))   // constrains the reply to the schema where supported
            .Pipe(parser);

        ReviewVerdict verdict = await classify.InvokeAsync(new Review("饺子很好吃，但是等了一个小时。"));
        Console.WriteLine($"{verdict.Sentiment} ({verdict.Confidence:P0}): {string.Join("; ", verdict.Reasons)}");
        // </snippet:prompts-structured>
        return verdict;
    }
}
