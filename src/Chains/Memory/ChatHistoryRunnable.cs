using System.Runtime.CompilerServices;
using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>Runs a chat step with a session's history: load, reduce, run, then store the turn on success.</summary>
internal sealed class ChatHistoryRunnable<TIn>(
    Runnable<PromptValue, ChatResponse> chain,
    IChatHistoryStore store,
    Func<TIn, string> sessionSelector,
    Func<TIn, PromptValue> promptSelector,
    IChatReducer? reducer) : Runnable<TIn, ChatResponse>
{
    public override string Name => "WithHistory";

    protected internal override async ValueTask<ChatResponse> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
    {
        var turn = await PrepareAsync(input, cancellationToken);
        var response = await context.InvokeAsync(chain, turn.Prompt, cancellationToken);
        await CommitAsync(turn, response, cancellationToken);
        return response;
    }

    protected internal override async IAsyncEnumerable<ChatResponse> StreamCoreAsync(TIn input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var turn = await PrepareAsync(input, cancellationToken);
        var combiner = new ChunkCombiner<ChatResponse>();
        await foreach (var chunk in context.StreamAsync(chain, turn.Prompt, cancellationToken).WithCancellation(cancellationToken))
        {
            combiner.Add(chunk);
            yield return chunk;
        }

        // Reached only when the stream completed: a consumer that stops early or a failure skips the commit.
        await CommitAsync(turn, combiner.Result, cancellationToken);
    }

    private async Task<PreparedTurn> PrepareAsync(TIn input, CancellationToken cancellationToken)
    {
        var sessionId = sessionSelector(input);
        if (string.IsNullOrWhiteSpace(sessionId))
        {
            throw new ArgumentException("The session selector returned an empty session id.", nameof(input));
        }

        var prompt = promptSelector(input) ?? throw new ArgumentException("The prompt selector returned null.", nameof(input));
        var instructions = new List<ChatMessage>();
        var added = new List<ChatMessage>();
        foreach (var message in prompt.Messages)
        {
            (message.Role == ChatRole.System ? instructions : added).Add(message);
        }

        var log = await store.LoadAsync(sessionId, cancellationToken);
        var history = ChatSummary.Compact(log, out var covers);
        var full = new List<ChatMessage>(instructions.Count + history.Count + added.Count);
        full.AddRange(instructions);
        full.AddRange(history);
        full.AddRange(added);

        IEnumerable<ChatMessage> reduced = reducer is null ? full : await reducer.ReduceAsync(full, cancellationToken)
            ?? throw new InvalidOperationException($"The reducer {reducer.GetType().Name} returned null.");
        var reducedPrompt = PromptValue.FromMessages(reduced);

        ChatMessage? newSummary = null;
        foreach (var message in reducedPrompt.Messages)
        {
            if (ChatSummary.TryGetCovers(message, out var c) && c > covers)
            {
                newSummary = message;
            }
        }

        return new PreparedTurn(sessionId, reducedPrompt, added, newSummary);
    }

    private async Task CommitAsync(PreparedTurn turn, ChatResponse response, CancellationToken cancellationToken)
    {
        // A step that ignored the token still must not have its turn stored.
        cancellationToken.ThrowIfCancellationRequested();
        var reply = response.Messages.ToArray();
        if (reducer is IChatTurnObserver observer)
        {
            await observer.OnTurnCompletedAsync(new ChatTurn(turn.SessionId, turn.Added, reply), cancellationToken);
        }

        var batch = new List<ChatMessage>(turn.Added.Count + reply.Length + 1);
        if (turn.NewSummary is not null)
        {
            batch.Add(turn.NewSummary);
        }

        batch.AddRange(turn.Added);
        batch.AddRange(reply);
        await store.AppendAsync(turn.SessionId, batch, cancellationToken);
    }

    private sealed record PreparedTurn(string SessionId, PromptValue Prompt, List<ChatMessage> Added, ChatMessage? NewSummary);
}
