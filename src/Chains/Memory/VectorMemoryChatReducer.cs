using System.Globalization;
using Chains.Indexes;
using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>
/// Long-term memory: remembers every completed turn as a document in any <see cref="IVectorStore"/> and, when reducing,
/// recalls the past turns most similar to the latest user message into the prompt as one system message.
/// </summary>
/// <remarks>
/// <para>Turns are remembered through <see cref="IChatTurnObserver"/>: <c>WithHistory</c> reports each successful turn
/// (combine reducers with <see cref="ChatReducerExtensions.Then"/> and the combination still reports). Each turn becomes
/// one document (a <c>User: … / Assistant: …</c> transcript) whose metadata holds <see cref="SessionKey"/> and the
/// <see cref="VectorMemoryOptions.Metadata"/>; scope recall with <see cref="VectorMemoryOptions.Filter"/>.</para>
/// <para>Put it after a window (<c>window.Then(memory)</c>) so it recalls what the window dropped: turns whose user
/// message is still in the prompt are not recalled again. The recalled message goes right after the leading system
/// messages and is never stored in the history.</para>
/// </remarks>
public sealed class VectorMemoryChatReducer : IChatReducer, IChatTurnObserver
{
    /// <summary>The metadata key holding the session id of a remembered turn.</summary>
    public const string SessionKey = "chains.session";

    private const string UserTextKey = "chains.turn.user";
    private const string RecallPropertyName = "chains.memory";

    private readonly IVectorStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly VectorMemoryOptions _options;

    /// <summary>Initializes a long-term memory over a vector store.</summary>
    /// <param name="store">Where remembered turns are kept; its dimension must match the embedder's.</param>
    /// <param name="embedder">Embeds turns and queries.</param>
    /// <param name="options">How many turns to recall, filters and metadata; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="embedder"/> is <see langword="null"/>.</exception>
    public VectorMemoryChatReducer(IVectorStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, VectorMemoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        _store = store;
        _embedder = embedder;
        _options = options ?? new VectorMemoryOptions();
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        var list = Conversation.AsList(messages);
        var latest = -1;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Role == ChatRole.User && !string.IsNullOrWhiteSpace(list[i].Text))
            {
                latest = i;
                break;
            }
        }

        if (latest < 0)
        {
            return list;
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (i != latest && list[i].Role == ChatRole.User)
            {
                present.Add(list[i].Text);
            }
        }

        var vector = await EmbedAsync(list[latest].Text, cancellationToken);
        var search = new VectorSearchOptions { Top = _options.Top + Math.Min(present.Count, 32), Filter = _options.Filter, MinScore = _options.MinScore };
        var matches = await _store.SearchAsync(vector, search, cancellationToken);
        var recalled = matches
            .Where(m => !present.Contains(m.Document.Metadata.GetString(UserTextKey) ?? string.Empty))
            .Take(_options.Top)
            .Select(m => m.Document.Content)
            .ToList();
        if (recalled.Count == 0)
        {
            return list;
        }

        var memory = new ChatMessage(ChatRole.System, _options.Heading + "\n\n" + string.Join("\n---\n", recalled))
        {
            AdditionalProperties = new() { [RecallPropertyName] = true },
        };
        var result = new List<ChatMessage>(list.Count + 1);
        var placed = false;
        foreach (var message in list)
        {
            if (message.Role == ChatRole.System && message.AdditionalProperties?.ContainsKey(RecallPropertyName) == true)
            {
                continue; // an earlier recall, when a reduced list is reduced again
            }

            if (!placed && message.Role != ChatRole.System)
            {
                result.Add(memory);
                placed = true;
            }

            result.Add(message);
        }

        if (!placed)
        {
            result.Add(memory);
        }

        return result;
    }

    /// <summary>Remembers the turn: embeds its transcript and stores it as one document.</summary>
    /// <param name="turn">The completed turn.</param>
    /// <param name="cancellationToken">A token that cancels the work.</param>
    /// <returns>A task that completes when the turn is stored in the vector store.</returns>
    /// <exception cref="ArgumentException"><paramref name="turn"/> is a default <see cref="ChatTurn"/>.</exception>
    public async Task OnTurnCompletedAsync(ChatTurn turn, CancellationToken cancellationToken = default)
    {
        if (turn.Request is not { } request || turn.Response is null)
        {
            throw new ArgumentException("The turn has no messages (a default ChatTurn).", nameof(turn));
        }

        var transcript = ChatTranscript.Format(request.Concat(turn.Response));
        if (transcript.Length == 0)
        {
            return;
        }

        var userText = string.Join("\n", request.Where(m => m.Role == ChatRole.User).Select(m => m.Text));
        var metadata = (_options.Metadata ?? DocumentMetadata.Empty)
            .With(SessionKey, turn.SessionId)
            .With(UserTextKey, userText);
        var id = string.Create(CultureInfo.InvariantCulture, $"{turn.SessionId}/{Guid.NewGuid():N}");
        var vector = await EmbedAsync(transcript, cancellationToken);
        await _store.UpsertAsync([new VectorRecord(new Document(id, transcript, metadata), vector)], cancellationToken);
    }

    private async Task<ReadOnlyMemory<float>> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        var embeddings = await _embedder.GenerateAsync([text], cancellationToken: cancellationToken);
        return embeddings.Count == 1
            ? embeddings[0].Vector
            : throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for one input.");
    }
}
