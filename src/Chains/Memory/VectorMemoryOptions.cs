using Chains.Indexes;

namespace Chains.Memory;

/// <summary>What a <see cref="VectorMemoryChatReducer"/> recalls and how it tags what it remembers.</summary>
public sealed record VectorMemoryOptions
{
    /// <summary>The default heading of the recalled memories.</summary>
    public const string DefaultHeading = "Relevant parts of earlier conversations (recalled from memory; use them if they help):";

    private readonly int _top = 3;

    /// <summary>Gets how many past turns to recall at most (default 3).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Top
    {
        get => _top;
        init => _top = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Top), value, "Top must be at least 1.");
    }

    /// <summary>Gets the lowest similarity a recalled turn must have, or <see langword="null"/> for none.</summary>
    public double? MinScore { get; init; }

    /// <summary>Gets a filter recalled turns must pass, e.g. <c>MetadataFilter.Eq("user", id)</c> to scope memory to a user,
    /// or <c>MetadataFilter.Eq(VectorMemoryChatReducer.SessionKey, id)</c> to one session; <see langword="null"/> recalls
    /// from every remembered turn.</summary>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Gets metadata stamped on every remembered turn (e.g. the user id the <see cref="Filter"/> selects on).</summary>
    public DocumentMetadata? Metadata { get; init; }

    /// <summary>Gets the heading of the system message that carries the recalled turns.</summary>
    public string Heading { get; init; } = DefaultHeading;
}
