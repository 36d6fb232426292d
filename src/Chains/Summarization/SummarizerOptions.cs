using Chains.Prompts;
using Microsoft.Extensions.AI;

namespace Chains.Summarization;

/// <summary>Options of <see cref="StuffSummarizer"/>.</summary>
public sealed record StuffSummarizerOptions
{
    /// <summary>Gets the prompt, which must use exactly <c>{text}</c> (the documents separated by blank lines);
    /// <see cref="StuffSummarizer.DefaultPrompt"/> when <see langword="null"/>.</summary>
    public ChatPromptTemplate? Prompt { get; init; }

    /// <summary>Gets the chat options of the model call, or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }
}

/// <summary>Options of <see cref="RefineSummarizer"/>.</summary>
public sealed record RefineSummarizerOptions
{
    /// <summary>Gets the prompt for the first document, which must use exactly <c>{text}</c>;
    /// <see cref="StuffSummarizer.DefaultPrompt"/> when <see langword="null"/>.</summary>
    public ChatPromptTemplate? InitialPrompt { get; init; }

    /// <summary>Gets the prompt for every following document, which must use exactly <c>{existing_summary}</c> and
    /// <c>{text}</c>; <see cref="RefineSummarizer.DefaultRefinePrompt"/> when <see langword="null"/>.</summary>
    public ChatPromptTemplate? RefinePrompt { get; init; }

    /// <summary>Gets the chat options of the model calls, or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }
}

/// <summary>Options of <see cref="MapReduceSummarizer"/>, checked when the summarizer is created.</summary>
public sealed record MapReduceSummarizerOptions
{
    /// <summary>Gets the prompt that summarizes one document, which must use exactly <c>{text}</c>;
    /// <see cref="StuffSummarizer.DefaultPrompt"/> when <see langword="null"/>.</summary>
    public ChatPromptTemplate? MapPrompt { get; init; }

    /// <summary>Gets the prompt that combines summaries (separated by blank lines), which must use exactly <c>{text}</c>;
    /// <see cref="MapReduceSummarizer.DefaultReducePrompt"/> when <see langword="null"/>.</summary>
    public ChatPromptTemplate? ReducePrompt { get; init; }

    /// <summary>Gets the chat options of the model calls, or <see langword="null"/>.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Gets how many model calls of one round run at once; the run's
    /// <see cref="Runnables.RunOptions.MaxConcurrency"/> when <see langword="null"/>.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Gets the most characters of summaries one reduce call receives (default 12,000): while the summaries are
    /// longer, groups of them that fit are combined first, round after round.</summary>
    public int MaxReduceLength { get; init; } = 12_000;
}
