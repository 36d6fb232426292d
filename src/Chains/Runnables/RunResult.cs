using System.Diagnostics.CodeAnalysis;

namespace Chains.Runnables;

/// <summary>The outcome of one item of <see cref="Runnable{TIn,TOut}.TryBatchAsync"/>: its output or its exception.</summary>
/// <typeparam name="T">The output type.</typeparam>
public readonly struct RunResult<T> : IEquatable<RunResult<T>>
{
    private readonly T _value;

    private RunResult(T value, Exception? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>Gets a value indicating whether the item succeeded.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>Gets the exception that ended the item, or <see langword="null"/> when it succeeded.</summary>
    public Exception? Error { get; }

    /// <summary>Gets the output of a successful item.</summary>
    /// <exception cref="InvalidOperationException">The item failed; the exception is the inner exception.</exception>
    public T Value => Error is null ? _value : throw new InvalidOperationException("The item failed: " + Error.Message, Error);

    /// <summary>Creates a successful result.</summary>
    /// <param name="value">The output.</param>
    /// <returns>The result.</returns>
    public static RunResult<T> Success(T value) => new(value, null);

    /// <summary>Creates a failed result.</summary>
    /// <param name="error">The exception.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static RunResult<T> Failure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(default!, error);
    }

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when both hold equal values or the same exception.</returns>
    public static bool operator ==(RunResult<T> left, RunResult<T> right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when the results differ.</returns>
    public static bool operator !=(RunResult<T> left, RunResult<T> right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(RunResult<T> other) => ReferenceEquals(Error, other.Error) && EqualityComparer<T>.Default.Equals(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RunResult<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_value, Error);

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"Success({_value})" : $"Failure({Error.GetType().Name}: {Error.Message})";
}
