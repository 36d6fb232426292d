using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>Gives chat steps a memory: <c>model.WithHistory(store, sessionId, reducer)</c>.</summary>
public static class ChatHistoryRunnableExtensions
{
    /// <summary>
    /// Makes a chat step remember one session: each run loads the session's history from <paramref name="store"/>, puts
    /// it between the input's system messages and its other messages, reduces the whole prompt with
    /// <paramref name="reducer"/>, runs <paramref name="chain"/>, and then stores the input's non-system messages with the
    /// reply — only when the run succeeds, never after a failure or a cancellation.
    /// </summary>
    /// <param name="chain">A model-like step: a prompt in, a chat response out (e.g. <c>client.AsRunnable()</c>); a prompt
    /// template piped into the result supplies the instructions and the new user message.</param>
    /// <param name="store">Where the session's messages are kept.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="reducer">Fits the prompt to the model (window, token budget, summary, long-term memory or a chain of
    /// them made with <see cref="ChatReducerExtensions.Then"/>); <see langword="null"/> sends the whole history.</param>
    /// <returns>The step. Streaming passes chunks through as they arrive and stores the turn when the stream completes; a
    /// consumer that stops early stores nothing.</returns>
    /// <remarks>
    /// <para>System messages of the input are instructions: they lead the prompt and are never stored. A new summary the
    /// reducer makes (<see cref="SummaryBufferChatReducer"/>) is stored with the turn; a reducer that is an
    /// <see cref="IChatTurnObserver"/> is told about the turn before it is stored.</para>
    /// <para>Each turn is one atomic append, so concurrent turns on one session lose no message; each sees the history as
    /// it was when it started.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="reducer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty or whitespace.</exception>
    public static Runnable<PromptValue, ChatResponse> WithHistory(this Runnable<PromptValue, ChatResponse> chain, IChatHistoryStore store, string sessionId, IChatReducer? reducer = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return new ChatHistoryRunnable<PromptValue>(chain, store, _ => sessionId, static prompt => prompt, reducer);
    }

    /// <summary>
    /// Makes a chat step remember many sessions: each input names its session and carries the new messages. Otherwise
    /// the same as <see cref="WithHistory(Runnable{PromptValue, ChatResponse}, IChatHistoryStore, string, IChatReducer?)"/>.
    /// </summary>
    /// <typeparam name="TIn">The input type, e.g. <c>record ChatRequest(string SessionId, string Text)</c>.</typeparam>
    /// <param name="chain">A model-like step: a prompt in, a chat response out.</param>
    /// <param name="store">Where the sessions' messages are kept.</param>
    /// <param name="sessionSelector">Gets the session of an input.</param>
    /// <param name="promptSelector">Gets the new messages of an input (system messages among them are instructions).</param>
    /// <param name="reducer">Fits each prompt to the model; <see langword="null"/> sends the whole history.</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="reducer"/> is <see langword="null"/>.</exception>
    public static Runnable<TIn, ChatResponse> WithHistory<TIn>(this Runnable<PromptValue, ChatResponse> chain, IChatHistoryStore store, Func<TIn, string> sessionSelector, Func<TIn, PromptValue> promptSelector, IChatReducer? reducer = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sessionSelector);
        ArgumentNullException.ThrowIfNull(promptSelector);
        return new ChatHistoryRunnable<TIn>(chain, store, sessionSelector, promptSelector, reducer);
    }
}
