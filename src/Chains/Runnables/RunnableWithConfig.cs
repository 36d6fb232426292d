namespace Chains.Runnables;

/// <summary>Runs a step under another name and with extra tags and metadata on its run (and, by inheritance, on its
/// children's). Made by <see cref="RunnableExtensions.WithName{TIn,TOut}"/> and <see cref="RunnableExtensions.WithConfig{TIn,TOut}"/>.</summary>
internal sealed class RunnableWithConfig<TIn, TOut>(Runnable<TIn, TOut> inner, string? name, IReadOnlyList<string>? tags, IReadOnlyDictionary<string, object?>? metadata) : Runnable<TIn, TOut>
{
    private readonly string _name = name ?? inner.Name;

    public override string Name => _name;

    protected internal override string StepKind => inner.StepKind;

    protected internal override ValueTask<TOut> InvokeCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
        => inner.InvokeCoreAsync(input, context, cancellationToken);

    protected internal override IAsyncEnumerable<TOut> StreamCoreAsync(TIn input, RunContext context, CancellationToken cancellationToken)
        => inner.StreamCoreAsync(input, context, cancellationToken);

    protected internal override IAsyncEnumerable<TOut> TransformCoreAsync(IAsyncEnumerable<TIn> input, RunContext context, CancellationToken cancellationToken)
        => inner.TransformCoreAsync(input, context, cancellationToken);

    internal override RunScope StartScope(string name, RunContext parent, object? input, bool streaming, IReadOnlyList<string>? extraTags, IReadOnlyDictionary<string, object?>? extraMetadata)
        => inner.StartScope(name, parent, input, streaming, Concat(tags, extraTags), Merge(metadata, extraMetadata));

    private static IReadOnlyList<string>? Concat(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
        => a is null ? b : b is null ? a : [.. a, .. b];

    /// <summary>Merges this step's metadata with an outer wrapper's; the outer entries win.</summary>
    private static IReadOnlyDictionary<string, object?>? Merge(IReadOnlyDictionary<string, object?>? own, IReadOnlyDictionary<string, object?>? outer)
    {
        if (own is null || outer is null)
        {
            return outer ?? own;
        }

        var merged = new Dictionary<string, object?>(own);
        foreach (var (key, value) in outer)
        {
            merged[key] = value;
        }

        return merged;
    }
}
