namespace Chains.Onnx.Tests;

public sealed class MiniLmOptionsTests
{
    [Fact]
    public void Constructor_Defaults_MatchTheModelAndTheMachine()
    {
        var options = new MiniLmOptions();

        Assert.Equal(256, options.MaxSequenceLength);
        Assert.Equal(32, options.BatchSize);
        Assert.True(options.Normalize);
        Assert.Equal(Environment.ProcessorCount, options.IntraOpNumThreads);
        Assert.Equal(1, options.InterOpNumThreads);
        options.Validate();
    }

    [Theory]
    [InlineData(nameof(MiniLmOptions.MaxSequenceLength), 2)]
    [InlineData(nameof(MiniLmOptions.MaxSequenceLength), 513)]
    [InlineData(nameof(MiniLmOptions.BatchSize), 0)]
    [InlineData(nameof(MiniLmOptions.IntraOpNumThreads), -1)]
    [InlineData(nameof(MiniLmOptions.InterOpNumThreads), -1)]
    public void Validate_OutOfRange_ThrowsNamingOptionAndValue(string option, int value)
    {
        var options = new MiniLmOptions();
        typeof(MiniLmOptions).GetProperty(option)!.SetValue(options, value);

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(option, error.ParamName);
        Assert.Equal(value, error.ActualValue);
    }

    [Theory]
    [InlineData(3, 1, 0, 0)]
    [InlineData(512, 1000, 64, 8)]
    public void Validate_InRange_DoesNotThrow(int maxSequenceLength, int batchSize, int intraOp, int interOp)
    {
        var options = new MiniLmOptions { MaxSequenceLength = maxSequenceLength, BatchSize = batchSize, IntraOpNumThreads = intraOp, InterOpNumThreads = interOp };

        var error = Record.Exception(options.Validate);

        Assert.Null(error);
    }
}
