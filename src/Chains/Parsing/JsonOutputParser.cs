using System.Runtime.CompilerServices;
using System.Text.Json;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Chains.Parsing;

/// <summary>
/// Parses the JSON object or array in a model's answer into a <see cref="JsonElement"/>; while streaming, yields the
/// object as it grows.
/// </summary>
/// <remarks>
/// <para>The output is a <see cref="JsonElement"/>: an immutable value, so every streamed snapshot stays as it was
/// yielded. Deserialize it with <see cref="JsonSerializer.Deserialize{TValue}(JsonElement, JsonSerializerOptions?)"/>, or use
/// <see cref="StructuredOutputParser{T}"/> to get a typed object directly.</para>
/// <para>The answer may wrap the JSON in a <c>```json</c> code fence or surround it with prose: the first <c>{</c> or
/// <c>[</c> (inside the first code fence, else anywhere) that starts valid JSON is taken up to its matching bracket.
/// Trailing commas and comments are accepted, and raw line breaks inside strings are read as <c>\n</c>. A top-level
/// scalar (<c>42</c>, <c>"text"</c>) is not recognized.</para>
/// <para>Streaming yields a snapshot each time the value received so far changes: the cut-off JSON is completed by
/// closing open strings, arrays and objects, and by dropping a key still without a value, a trailing comma or colon, or
/// an unfinished <c>true</c>/<c>false</c>/<c>null</c>. So <c>{"name": "张</c> yields <c>{"name":"张"}</c>. When the
/// stream ends, the whole answer is parsed like <see cref="Parse"/> (an incomplete answer then fails) and yielded if it
/// differs from the last snapshot. Each chunk re-reads the text received so far, which is fine for model-sized
/// answers.</para>
/// </remarks>
public sealed class JsonOutputParser : OutputParser<JsonElement>
{
    /// <summary>Gets instructions asking for a bare JSON object or array.</summary>
    public override string FormatInstructions => "Return only a JSON object (or array), with no text before or after it.";

    /// <summary>Parses the first JSON object or array in <paramref name="text"/>.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The JSON value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="OutputParserException">The text holds no JSON object or array, or it is invalid or cut off.</exception>
    public override JsonElement Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new PartialJson().TryParseComplete(text, out var element, out var error) == PartialJson.Status.Complete
            ? element
            : throw new OutputParserException($"Expected a JSON object or array, but {error}.", text, typeof(JsonElement));
    }

    /// <summary>Yields the JSON value received so far each time it changes, then the complete value.</summary>
    /// <param name="input">The model's streamed chunks.</param>
    /// <param name="context">The run context of this step.</param>
    /// <param name="cancellationToken">A token that cancels the step.</param>
    /// <returns>The snapshots.</returns>
    protected internal override async IAsyncEnumerable<JsonElement> TransformCoreAsync(IAsyncEnumerable<ChatResponse> input, RunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = new JsonSnapshotReader();
        JsonElement? last = null;
        await foreach (var snapshot in reader.ReadAsync(input, cancellationToken))
        {
            last = snapshot;
            yield return snapshot;
        }

        var final = Parse(reader.Text);
        if (last is not { } previous || !JsonElement.DeepEquals(previous, final))
        {
            yield return final;
        }
    }
}
