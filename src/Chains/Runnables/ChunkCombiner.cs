using System.Text;
using Microsoft.Extensions.AI;

namespace Chains.Runnables;

/// <summary>
/// Combines streamed chunks into one value: strings are deltas and are concatenated, chat responses are merged update by
/// update, chat response updates are merged into the last update's shape; any other type is a snapshot and the last
/// chunk wins.
/// </summary>
internal sealed class ChunkCombiner<T>
{
    private static readonly Kind ChunkKind =
        typeof(T) == typeof(string) ? Kind.Text :
        typeof(T) == typeof(ChatResponse) ? Kind.ChatResponse :
        Kind.Last;

    private StringBuilder? _text;
    private List<ChatResponseUpdate>? _updates;
    private T? _last;
    private bool _any;

    private enum Kind
    {
        Last,
        Text,
        ChatResponse,
    }

    public T Result
    {
        get
        {
            if (!_any)
            {
                return ChunkKind switch
                {
                    Kind.Text => (T)(object)string.Empty,
                    Kind.ChatResponse => (T)(object)new ChatResponse(),
                    _ => default!,
                };
            }

            return ChunkKind switch
            {
                Kind.Text => (T)(object)(_text?.ToString() ?? string.Empty),
                Kind.ChatResponse => (T)(object)(_updates ?? []).ToChatResponse(),
                _ => _last!,
            };
        }
    }

    public static async ValueTask<T> CombineAsync(IAsyncEnumerable<T> chunks, CancellationToken cancellationToken)
    {
        var combiner = new ChunkCombiner<T>();
        await foreach (var chunk in chunks.WithCancellation(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            combiner.Add(chunk);
        }

        if (!combiner._any && ChunkKind == Kind.Last)
        {
            throw new InvalidOperationException($"The input stream of {typeof(T).Name} ended without producing a chunk.");
        }

        return combiner.Result;
    }

    public void Add(T chunk)
    {
        _any = true;
        switch (ChunkKind)
        {
            case Kind.Text:
                (_text ??= new StringBuilder()).Append((string?)(object?)chunk);
                break;
            case Kind.ChatResponse:
                if (chunk is ChatResponse response)
                {
                    (_updates ??= []).AddRange(response.ToChatResponseUpdates());
                }

                break;
            default:
                _last = chunk;
                break;
        }
    }
}
