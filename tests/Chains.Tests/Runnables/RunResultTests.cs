using Chains.Runnables;

namespace Chains.Tests.Runnables;

public sealed class RunResultTests
{
    [Fact]
    public void Success_Value_ReturnsOutput()
    {
        var result = RunResult<int>.Success(4);

        Assert.True(result.IsSuccess);
        Assert.Null(result.Error);
        Assert.Equal(4, result.Value);
        Assert.Equal("Success(4)", result.ToString());
    }

    [Fact]
    public void Failure_Value_ThrowsWithErrorInside()
    {
        var error = new FormatException("bad");
        var result = RunResult<int>.Failure(error);

        Assert.False(result.IsSuccess);
        Assert.Same(error, result.Error);
        Assert.Same(error, Assert.Throws<InvalidOperationException>(() => result.Value).InnerException);
        Assert.Equal("Failure(FormatException: bad)", result.ToString());
    }

    [Fact]
    public void Equals_SameValueOrSameError_AreEqual()
    {
        var error = new FormatException();

        Assert.True(RunResult<int>.Success(1) == RunResult<int>.Success(1));
        Assert.True(RunResult<int>.Success(1) != RunResult<int>.Success(2));
        Assert.Equal(RunResult<int>.Failure(error), RunResult<int>.Failure(error));
        Assert.NotEqual(RunResult<int>.Failure(error), RunResult<int>.Failure(new FormatException()));
        Assert.Throws<ArgumentNullException>("error", () => RunResult<int>.Failure(null!));
    }
}
