// The code of docs/concepts/memory.md, compiled and run by tests/Chains.Docs.Tests.
using Chains.Memory;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Docs.Snippets;

/// <summary>The memory page: history stores and reducers.</summary>
public static class MemorySnippets
{
    /// <summary>A model step that remembers a session.</summary>
    public static async Task<IReadOnlyList<ChatMessage>> WithHistoryAsync(IChatClient client)
    {
        // <snippet:memory-history>
        IChatHistoryStore store = new InMemoryChatHistoryStore();   // or new FileChatHistoryStore("history"), or PostgreSQL
        Runnable<PromptValue, ChatResponse> chat = client.AsRunnable()
            .WithHistory(store, sessionId: "alice", reducer: new WindowChatReducer(20));

        await chat.InvokeAsync("My name is Alice.");
        ChatResponse reply = await chat.InvokeAsync("What is my name?");   // the first turn is in this prompt

        IReadOnlyList<ChatMessage> kept = await store.LoadAsync("alice");
        Console.WriteLine($"{kept.Count} messages in the session");      // two questions, two answers
        // </snippet:memory-history>
        return kept;
    }

    /// <summary>Reducers chained: a window, then a token budget.</summary>
    public static async Task<(IReadOnlyList<ChatMessage> Kept, ITokenCounter Counter, int Budget)> ReducersAsync(CancellationToken cancellationToken = default)
    {
        // <snippet:memory-reducers>
        // One token per character is a safe upper bound for Chinese text; with your model's tokenizer use
        // TokenCounter.Create(tokenizer) (Microsoft.ML.Tokenizers) or a local model's own counter.
        ITokenCounter counter = TokenCounter.Create(text => text.Length);
        IChatReducer reducer = new WindowChatReducer(6)
            .Then(new TokenBudgetChatReducer(counter, maxTokens: 60));

        List<ChatMessage> conversation = [new(ChatRole.System, "你是一个乐于助人的助手。")];
        for (var i = 1; i <= 10; i++)
        {
            conversation.Add(new(ChatRole.User, $"第{i}个问题是什么？"));
            conversation.Add(new(ChatRole.Assistant, $"这是第{i}个回答。"));
        }

        IEnumerable<ChatMessage> reduced = await reducer.ReduceAsync(conversation, cancellationToken);
        foreach (ChatMessage message in reduced)
        {
            Console.WriteLine($"{message.Role}: {message.Text}");   // the system message, then the newest turns that fit
        }
        // </snippet:memory-reducers>
        return ([.. reduced], counter, 60);
    }
}
