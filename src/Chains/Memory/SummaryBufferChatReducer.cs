using System.Text;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// Summary memory: keeps the latest messages verbatim and folds older ones into a running summary written by a model.
/// Summarising is incremental — each call to the model gets the previous summary and only the messages that have left
/// the buffer since — and the summary is a system message kept with the history, so it survives restarts.
/// </summary>
/// <remarks>
/// <para>When the conversation holds more than <c>maxMessages</c> non-system messages, the oldest are summarised until
/// <see cref="SummaryBufferOptions.TargetMessages"/> remain (summarising in batches, not on every turn). A tool call is
/// never separated from its results, the kept part starts at a user message when possible, and the latest user message
/// and what follows it (the turn in progress) are never summarised.</para>
/// <para>The result holds one summary: a system message marked with <see cref="SummaryPropertyName"/> (its value: how many
/// messages it covers), placed after the leading system messages. <see cref="ChatHistoryRunnableExtensions.WithHistory(Chains.Runnables.Runnable{Chains.Prompts.PromptValue, ChatResponse}, IChatHistoryStore, string, IChatReducer?)"/>
/// stores a new summary with the turn and, on the next turn, loads it in place of the messages it covers. Used without
/// a store (e.g. in <c>ReducingChatClient</c>), keep the reduced list as the conversation so the summary is reused.</para>
/// </remarks>
public sealed class SummaryBufferChatReducer : IChatReducer
{
    /// <summary>The additional property that marks a summary message; its value is the number of non-system messages,
    /// from the start of the stored history, that the summary replaces.</summary>
    public const string SummaryPropertyName = "chains.summary";

    private readonly IChatClient _client;
    private readonly SummaryBufferOptions _options;

    /// <summary>Initializes a summary memory.</summary>
    /// <param name="client">The model that writes the summary.</param>
    /// <param name="maxMessages">How many non-system messages may accumulate before the oldest are summarised.</param>
    /// <param name="options">Target size, instructions and request options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessages"/> is less than 1, or the target is not
    /// between 1 and <paramref name="maxMessages"/>.</exception>
    /// <exception cref="ArgumentException">The instructions are empty.</exception>
    public SummaryBufferChatReducer(IChatClient client, int maxMessages, SummaryBufferOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        _options = options ?? new SummaryBufferOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.Instructions, nameof(options));
        var target = _options.TargetMessages ?? Math.Max(1, maxMessages / 2);
        if (target < 1 || target > maxMessages)
        {
            throw new ArgumentOutOfRangeException(nameof(options), target, $"TargetMessages must be between 1 and maxMessages ({maxMessages}).");
        }

        _client = client;
        MaxMessages = maxMessages;
        TargetMessages = target;
    }

    /// <summary>Gets how many non-system messages may accumulate before summarising.</summary>
    public int MaxMessages { get; }

    /// <summary>Gets how many non-system messages stay verbatim after summarising.</summary>
    public int TargetMessages { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="messages"/> holds <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The model returned an empty summary.</exception>
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        var list = Conversation.AsList(messages);
        var conversation = Conversation.Of(list);
        if (conversation.Count <= MaxMessages)
        {
            return list;
        }

        // Never summarise the turn in progress: the latest user message and what follows it.
        var limit = conversation.LastUserIndex() is var lastUser and >= 0 ? lastUser + 1 : conversation.Count;
        var candidate = Math.Min(conversation.Count - TargetMessages, limit - 1);
        var start = conversation.FindStart(candidate, limit, extend: false);
        if (start <= 0)
        {
            return list;
        }

        ChatMessage? previous = null;
        var covers = 0;
        foreach (var message in list)
        {
            if (ChatSummary.TryGetCovers(message, out var c))
            {
                previous = message;
                covers = c;
            }
        }

        var folded = new List<ChatMessage>(start);
        for (var i = 0; i < start; i++)
        {
            folded.Add(conversation[i]);
        }

        var summary = await SummarizeAsync(previous is null ? null : ChatSummary.GetText(previous), folded, cancellationToken);
        var summaryMessage = ChatSummary.Create(summary, covers + start);

        // Leading system messages, the new summary, then the rest without the old summary and the folded messages.
        var kept = conversation.Keep(start);
        var result = new List<ChatMessage>(kept.Count + 1);
        var placed = false;
        foreach (var message in kept)
        {
            if (ReferenceEquals(message, previous))
            {
                continue;
            }

            if (!placed && message.Role != ChatRole.System)
            {
                result.Add(summaryMessage);
                placed = true;
            }

            result.Add(message);
        }

        if (!placed)
        {
            result.Add(summaryMessage);
        }

        return result;
    }

    private async Task<string> SummarizeAsync(string? previous, List<ChatMessage> folded, CancellationToken cancellationToken)
    {
        var prompt = new StringBuilder()
            .Append("Previous summary:\n").Append(string.IsNullOrWhiteSpace(previous) ? "(none)" : previous).Append("\n\n")
            .Append("New lines of conversation:\n").Append(ChatTranscript.Format(folded))
            .ToString();
        var response = await _client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, _options.Instructions), new ChatMessage(ChatRole.User, prompt)],
            _options.ChatOptions,
            cancellationToken);
        var text = response.Text.Trim();
        return text.Length > 0 ? text : throw new InvalidOperationException("The summarising model returned an empty summary.");
    }
}
