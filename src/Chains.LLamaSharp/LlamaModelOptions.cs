using System.Globalization;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Chains.LLamaSharp;

/// <summary>How <see cref="LlamaModel"/> loads a GGUF model and sizes its contexts. Validated once, at load.</summary>
public sealed class LlamaModelOptions
{
    /// <summary>Gets the context size (KV cache) of each sequence, in tokens; <see langword="null"/> uses the model's
    /// training context, capped at 4096. Must not exceed the model's <see cref="GgufModelInfo.ContextLength"/>.</summary>
    public int? ContextSize { get; init; }

    /// <summary>Gets how many concurrent requests one loaded model serves (each gets a sequence with its own KV cache of
    /// <see cref="ContextSize"/> tokens; more requests wait in a queue). Defaults to 4.</summary>
    public int MaxConcurrentRequests { get; init; } = 4;

    /// <summary>Gets how many layers to offload to the GPU. Defaults to <see cref="GpuLayers.None"/>.</summary>
    public GpuLayers GpuLayers { get; init; }

    /// <summary>Gets the GPU that holds the model (split mode none) or the intermediate results (row split). Defaults to 0.</summary>
    public int MainGpu { get; init; }

    /// <summary>Gets how the model is split across several GPUs; <see langword="null"/> uses llama.cpp's default (by layer).</summary>
    public GPUSplitMode? SplitMode { get; init; }

    /// <summary>Gets the proportion of the model each GPU holds (one non-negative value per device), or
    /// <see langword="null"/> to split by free memory.</summary>
    public IReadOnlyList<float>? TensorSplit { get; init; }

    /// <summary>Gets whether to use flash attention; <see langword="null"/> lets llama.cpp decide per backend.</summary>
    public bool? FlashAttention { get; init; }

    /// <summary>Gets the threads used for generation; <see langword="null"/> uses llama.cpp's default.</summary>
    public int? Threads { get; init; }

    /// <summary>Gets the threads used for prompt processing; <see langword="null"/> uses <see cref="Threads"/>.</summary>
    public int? BatchThreads { get; init; }

    /// <summary>Gets the most tokens evaluated in one decode call (logical batch). Defaults to 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Gets the physical (micro) batch size; <see langword="null"/> uses <see cref="BatchSize"/>. Must not exceed it.</summary>
    public int? MicroBatchSize { get; init; }

    /// <summary>Gets the sampling seed used when a request sets none; <see langword="null"/> draws a new seed per request.</summary>
    public int? Seed { get; init; }

    /// <summary>Gets whether the file is memory-mapped (fast load, weights paged in on demand). Defaults to <see langword="true"/>.</summary>
    public bool UseMemoryMap { get; init; } = true;

    /// <summary>Gets whether the weights are locked in RAM (no swapping). Defaults to <see langword="false"/>.</summary>
    public bool LockMemory { get; init; }

    /// <summary>Gets LoRA adapters applied to every request, each with its scale.</summary>
    public IReadOnlyList<LlamaLoraAdapter> LoraAdapters { get; init; } = [];

    /// <summary>Gets the logger for model events (load, requests; prompts only at Trace level).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Gets the time source for response timestamps. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every value against itself and against the model; throws naming the first bad one.</summary>
    internal static void Validate(LlamaModelOptions options, GgufModelInfo info) => options.Check(info, nameof(options));

    private void Check(GgufModelInfo info, string paramName)
    {
        if (ContextSize is { } ctx)
        {
            if (ctx < 16)
            {
                throw new ArgumentOutOfRangeException(paramName, ctx, $"LlamaModelOptions.ContextSize must be at least 16 (was {ctx}).");
            }

            if (info.ContextLength > 0 && ctx > info.ContextLength)
            {
                throw new ArgumentOutOfRangeException(paramName, ctx, $"LlamaModelOptions.ContextSize {ctx} exceeds the {info.ContextLength}-token context '{info.Path}' was trained with.");
            }
        }

        if (MaxConcurrentRequests is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(paramName, MaxConcurrentRequests, $"LlamaModelOptions.MaxConcurrentRequests must be between 1 and 256 (was {MaxConcurrentRequests}).");
        }

        if (MainGpu < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, MainGpu, $"LlamaModelOptions.MainGpu must not be negative (was {MainGpu}).");
        }

        if (TensorSplit is { } split)
        {
            if (split.Count == 0 || split.Any(v => v < 0 || !float.IsFinite(v)) || split.Sum() <= 0)
            {
                throw new ArgumentException($"LlamaModelOptions.TensorSplit must hold one finite non-negative proportion per GPU with a positive sum (was [{string.Join(", ", split)}]).", paramName);
            }

            if (split.Count > 16)
            {
                throw new ArgumentException($"LlamaModelOptions.TensorSplit has {split.Count} entries; llama.cpp supports at most 16 devices.", paramName);
            }
        }

        if (Threads is < 1 || BatchThreads is < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, Threads ?? BatchThreads, $"LlamaModelOptions.Threads and BatchThreads must be at least 1 (were {Threads?.ToString(CultureInfo.InvariantCulture) ?? "null"} and {BatchThreads?.ToString(CultureInfo.InvariantCulture) ?? "null"}).");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, BatchSize, $"LlamaModelOptions.BatchSize must be at least 1 (was {BatchSize}).");
        }

        if (MicroBatchSize is { } ub && (ub < 1 || ub > BatchSize))
        {
            throw new ArgumentOutOfRangeException(paramName, ub, $"LlamaModelOptions.MicroBatchSize must be between 1 and BatchSize {BatchSize} (was {ub}).");
        }

        ArgumentNullException.ThrowIfNull(LoraAdapters, "options.LoraAdapters");
        ArgumentNullException.ThrowIfNull(TimeProvider, "options.TimeProvider");
        foreach (var lora in LoraAdapters)
        {
            if (lora is null)
            {
                throw new ArgumentException("LlamaModelOptions.LoraAdapters contains null.", paramName);
            }
        }
    }

    /// <summary>Gets the effective context size of each sequence for <paramref name="info"/>.</summary>
    internal int EffectiveContextSize(GgufModelInfo info)
        => ContextSize ?? (info.ContextLength > 0 ? Math.Min(info.ContextLength, 4096) : 4096);
}

/// <summary>A LoRA adapter GGUF applied on top of a model.</summary>
/// <param name="Path">The adapter file (<c>general.type = adapter</c>, made for the same base model).</param>
/// <param name="Scale">How strongly it applies: 0 disables it, 1 applies it as trained.</param>
public sealed record LlamaLoraAdapter(string Path, float Scale = 1f);
