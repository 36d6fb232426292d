using System.Globalization;

namespace Chains.LLamaSharp;

/// <summary>How many transformer layers llama.cpp offloads to the GPU: none, all, a fixed number, or as many as fit a
/// VRAM budget (estimated from the GGUF header with <see cref="LlamaMemoryEstimator"/>).</summary>
/// <remarks>With the CPU backend every value runs on the CPU; offload needs a CUDA, Vulkan or Metal build.</remarks>
public readonly struct GpuLayers : IEquatable<GpuLayers>
{
    private readonly int _count;
    private readonly long _budget;

    private GpuLayers(int count, long budget)
    {
        _count = count;
        _budget = budget;
    }

    /// <summary>Gets a value that keeps every layer on the CPU.</summary>
    public static GpuLayers None => default;

    /// <summary>Gets a value that offloads every layer and the output layer.</summary>
    public static GpuLayers All => new(int.MaxValue, 0);

    /// <summary>Gets whether the count is chosen from a VRAM budget at load time.</summary>
    public bool IsAuto => _budget > 0;

    /// <summary>Gets the fixed number of layers (<see cref="int.MaxValue"/> for all), or <see langword="null"/> when
    /// <see cref="IsAuto"/>.</summary>
    public int? LayerCount => IsAuto ? null : _count;

    /// <summary>Gets the VRAM budget in bytes, or <see langword="null"/> when the count is fixed.</summary>
    public long? VramBudgetBytes => IsAuto ? _budget : null;

    /// <summary>Offloads a fixed number of layers (the last ones; a number above the block count also offloads the output layer).</summary>
    /// <param name="layers">The number of layers, 0 or more.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layers"/> is negative.</exception>
    public static GpuLayers Count(int layers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        return new GpuLayers(layers, 0);
    }

    /// <summary>Offloads as many layers as fit <paramref name="vramBudgetBytes"/>, counting each layer's weights and KV cache
    /// at the configured context size and reserving the compute buffer.</summary>
    /// <param name="vramBudgetBytes">The GPU memory the model may use, in bytes.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vramBudgetBytes"/> is not positive.</exception>
    public static GpuLayers Auto(long vramBudgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vramBudgetBytes);
        return new GpuLayers(0, vramBudgetBytes);
    }

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(GpuLayers left, GpuLayers right) => left.Equals(right);

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(GpuLayers left, GpuLayers right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(GpuLayers other) => _count == other._count && _budget == other._budget;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GpuLayers other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_count, _budget);

    /// <inheritdoc/>
    public override string ToString() => IsAuto
        ? string.Create(CultureInfo.InvariantCulture, $"auto ({_budget / (1024.0 * 1024 * 1024):0.##} GiB)")
        : _count switch
        {
            0 => "none",
            int.MaxValue => "all",
            _ => _count.ToString(CultureInfo.InvariantCulture),
        };
}
