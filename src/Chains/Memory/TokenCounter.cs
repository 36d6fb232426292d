using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Chains.Memory;

/// <summary>Creates <see cref="ITokenCounter"/>s from a tokenizer or a text-counting function.</summary>
/// <remarks>The counters count messages as OpenAI's cookbook does (framing, role, name, every content) and remember the
/// counts of recent texts by content, so a history read back from a store is not tokenized again on every turn.
/// They are thread-safe when the tokenizer or function is.</remarks>
public static class TokenCounter
{
    /// <summary>Creates a counter over a Microsoft.ML.Tokenizers tokenizer (Tiktoken, BPE, SentencePiece, WordPiece...).</summary>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="options">The template's framing of messages and tools; <see langword="null"/> for OpenAI's.</param>
    /// <returns>The counter.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is <see langword="null"/>.</exception>
    public static ITokenCounter Create(Tokenizer tokenizer, TokenCounterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new TextTokenCounter(text => tokenizer.CountTokens(text), options ?? TokenCounterOptions.Default);
    }

    /// <summary>Creates a counter from a function that counts the tokens of a text (e.g. a local model's tokenizer).</summary>
    /// <param name="countText">Counts the tokens of a text; called concurrently, so it must be thread-safe.</param>
    /// <param name="options">The template's framing of messages and tools; <see langword="null"/> for OpenAI's.</param>
    /// <returns>The counter.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="countText"/> is <see langword="null"/>.</exception>
    public static ITokenCounter Create(Func<string, int> countText, TokenCounterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(countText);
        return new TextTokenCounter(countText, options ?? TokenCounterOptions.Default);
    }
}

/// <summary>Counts messages as OpenAI's cookbook does: framing + role + name + every content, over a text counter.</summary>
/// <remarks>Counts of texts of 16 characters or more are cached by content (a 96-bit fingerprint, up to
/// <see cref="CacheCapacity"/> entries), so a history read back from a store is not tokenized again on every turn.</remarks>
internal sealed class TextTokenCounter(Func<string, int> countText, TokenCounterOptions options) : ITokenCounter
{
    internal const int CacheCapacity = 16_384;
    private const int MinCachedLength = 16;

    // Roles are few and counted for every message: count each once.
    private readonly ConcurrentDictionary<string, int> _roles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TextKey, int> _texts = new();
    private int _cached;

    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < MinCachedLength)
        {
            return text.Length == 0 ? 0 : countText(text);
        }

        var key = TextKey.Of(text);
        if (_texts.TryGetValue(key, out var count))
        {
            return count;
        }

        count = countText(text);
        if (Interlocked.Increment(ref _cached) > CacheCapacity)
        {
            _texts.Clear();
            Interlocked.Exchange(ref _cached, 1);
        }

        _texts[key] = count;
        return count;
    }

    public int CountTokens(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var role = message.Role.Value;
        if (!_roles.TryGetValue(role, out var roleTokens))
        {
            roleTokens = _roles.Count < 64 ? _roles.GetOrAdd(role, CountTokens(role)) : CountTokens(role);
        }

        var count = options.TokensPerMessage + roleTokens;
        if (!string.IsNullOrEmpty(message.AuthorName))
        {
            count += options.TokensPerName + CountTokens(message.AuthorName);
        }

        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            count += contents[i] switch
            {
                TextContent text => CountTokens(text.Text ?? string.Empty),
                TextReasoningContent reasoning => CountTokens(reasoning.Text ?? string.Empty),
                FunctionCallContent call => CountTokens(call.Name) + (call.Arguments is null ? 0 : CountTokens(ChatJson.ToText(call.Arguments))),
                FunctionResultContent result => CountTokens(result.CallId) + CountTokens(ChatJson.ToText(result.Result)),
                DataContent or UriContent or HostedFileContent => options.MediaTokens,
                ErrorContent error => CountTokens(error.Message ?? string.Empty),
                UsageContent => 0, // bookkeeping; never sent to a model
                var other => CountTokens(JsonSerializer.Serialize(other, ChatJson.Compact.GetTypeInfo(typeof(AIContent)))),
            };
        }

        return count;
    }

    public int CountTokens(IEnumerable<AITool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var count = 0;
        foreach (var tool in tools)
        {
            ArgumentNullException.ThrowIfNull(tool, nameof(tools));
            count += options.TokensPerTool + CountTokens(Describe(tool));
        }

        return count;
    }

    /// <summary>The tool as the model sees it: <c>{"name":…,"description":…,"parameters":schema}</c>.</summary>
    private static string Describe(AITool tool)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = ChatJson.Compact.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("name", tool.Name);
            if (!string.IsNullOrEmpty(tool.Description))
            {
                writer.WriteString("description", tool.Description);
            }

            if (tool is AIFunctionDeclaration function)
            {
                writer.WritePropertyName("parameters");
                function.JsonSchema.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>A content fingerprint: 64-bit FNV-1a over the UTF-16 code units, the 32-bit string hash and the length.</summary>
    private readonly record struct TextKey(ulong Fnv, int Hash, int Length)
    {
        public static TextKey Of(string text)
        {
            var hash = 14695981039346656037UL;
            var words = MemoryMarshal.Cast<char, ulong>(text.AsSpan());
            foreach (var word in words)
            {
                hash = (hash ^ word) * 1099511628211UL;
            }

            foreach (var c in text.AsSpan(words.Length * 4))
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return new TextKey(hash, text.GetHashCode(StringComparison.Ordinal), text.Length);
        }
    }
}
