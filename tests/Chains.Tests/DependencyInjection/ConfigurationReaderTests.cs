using Chains.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace Chains.Tests.DependencyInjection;

/// <summary><see cref="ConfigurationReader"/>, the configuration binding every package's AddX shares: typed values,
/// lists, secrets, unknown keys, and validation errors mapped back to the key they came from.</summary>
public sealed class ConfigurationReaderTests
{
    [Fact]
    public void Readers_ValidValues_ParseInvariantlyAndIgnoreCaseInKeysAndEnumNames()
    {
        var reader = Reader(new()
        {
            ["s:count"] = "12",
            ["s:Ratio"] = "0.25",
            ["s:On"] = "TRUE",
            ["s:Delay"] = "00:00:01.500",
            ["s:Day"] = "friday",
            ["s:Name"] = "模型-中文",
            ["s:Empty"] = "",
        });

        Assert.Equal(12, reader.Int32("Count"));
        Assert.Equal(0.25f, reader.Single("Ratio"));
        Assert.True(reader.Boolean("On"));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), reader.Duration("Delay"));
        Assert.Equal(DayOfWeek.Friday, reader.Enum<DayOfWeek>("Day"));
        Assert.Equal("模型-中文", reader.String("Name"));
        Assert.Null(reader.Int32("Empty"));
        Assert.Null(reader.Int32("Absent"));
        reader.ThrowIfUnknownKeys();
    }

    [Fact]
    public void SingleList_ArrayInAnyKeyOrder_ComesBackInIndexOrder()
    {
        var reader = Reader(new() { ["s:Split:1"] = "0.4", ["s:Split:0"] = "0.6", ["s:Split:10"] = "0.1", ["s:Split:2"] = "0.2" });

        Assert.Equal([0.6f, 0.4f, 0.2f, 0.1f], reader.SingleList("Split"));
    }

    [Fact]
    public void SingleList_BadElementOrSingleValue_NamesTheElementPath()
    {
        var element = Assert.Throws<ArgumentException>(() => Reader(new() { ["s:Split:0"] = "0.5", ["s:Split:1"] = "half" }).SingleList("Split"));
        var scalar = Assert.Throws<ArgumentException>(() => Reader(new() { ["s:Split"] = "0.5" }).SingleList("Split"));

        Assert.StartsWith("Configuration value 's:Split:1' is 'half', which is not a number such as 0.7", element.Message, StringComparison.Ordinal);
        Assert.StartsWith("Configuration value 's:Split' is '0.5', but it must be a list of numbers", scalar.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("0,5")]
    public void Single_NotAFiniteInvariantNumber_Throws(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => Reader(new() { ["s:Ratio"] = value }).Single("Ratio"));

        Assert.Contains($"'s:Ratio' is '{value}', which is not a number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void String_SectionWhereAValueBelongs_SaysSo()
    {
        var ex = Assert.Throws<ArgumentException>(() => Reader(new() { ["s:Path:Inner"] = "x" }).String("Path"));

        Assert.Contains("'s:Path' is a section", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Section_ValueWhereASectionBelongs_SaysSo()
    {
        var ex = Assert.Throws<ArgumentException>(() => Reader(new() { ["s:Chat"] = "fast" }).Section("Chat"));

        Assert.StartsWith("Configuration value 's:Chat' is 'fast', but it must be a section", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_SecretValue_IsNeverShown()
    {
        var reader = Reader(new() { ["s:ConnectionString"] = "Host=db;Password=hunter2" });
        _ = reader.String("ConnectionString", secret: true);

        var ex = reader.Invalid("ConnectionString", "which is not valid.");

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'s:ConnectionString' is (value hidden)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfUnknownKeys_Misspelling_SuggestsTheClosestKnownKeyAndListsThem()
    {
        var reader = Reader(new() { ["s:ContextSise"] = "4096", ["s:Threads"] = "1" });
        _ = reader.Int32("ContextSize");
        _ = reader.Int32("Threads");

        var ex = Assert.Throws<ArgumentException>(() => reader.ThrowIfUnknownKeys());

        Assert.Equal(
            "Configuration key 's:ContextSise' is not a TestOptions setting. Did you mean 'ContextSize'? The known settings are: ContextSize, Threads. Fix the spelling or remove the key. (Parameter 'configuration')",
            ex.Message);
    }

    [Fact]
    public void ThrowIfUnknownKeys_NothingClose_MakesNoSuggestion()
    {
        var reader = Reader(new() { ["s:Colour"] = "red" });
        _ = reader.Int32("ContextSize");

        var ex = Assert.Throws<ArgumentException>(() => reader.ThrowIfUnknownKeys());

        Assert.DoesNotContain("Did you mean", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfUnknownKeys_SectionsAllowed_StillReportsUnknownValues()
    {
        var reader = Reader(new() { ["s:Models:Local:Path"] = "m.gguf", ["s:Other"] = "x" });

        var ex = Assert.Throws<ArgumentException>(() => reader.ThrowIfUnknownKeys(allowSections: true));

        Assert.Contains("'s:Other'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ValidationNamesTheOptionByParameterOrMessage_ErrorNamesTheKeyAndValue()
    {
        var reader = Reader(new() { ["s:BatchSize"] = "-3", ["s:Threads"] = "0" });
        _ = reader.Int32("BatchSize");
        _ = reader.Int32("Threads");

        var byParameter = Assert.Throws<ArgumentException>(() => reader.Build<int>(() => throw new ArgumentOutOfRangeException("batchSize", -3, "BatchSize must be at least 1.")));
        var byMessage = Assert.Throws<ArgumentException>(() => reader.Build<int>(() => throw new ArgumentException("TestOptions.Threads must be at least 1 (was 0).", "options")));
        var unknown = Assert.Throws<ArgumentException>(() => reader.Build<int>(() => throw new ArgumentException("Something else is wrong", "options")));

        Assert.Equal("Configuration value 's:BatchSize' is '-3', which is invalid: BatchSize must be at least 1. Fix the value, or remove the key to use the default. (Parameter 'configuration')", byParameter.Message);
        Assert.IsType<ArgumentOutOfRangeException>(byParameter.InnerException);
        Assert.StartsWith("Configuration value 's:Threads' is '0', which is invalid: TestOptions.Threads must be at least 1 (was 0).", byMessage.Message, StringComparison.Ordinal);
        Assert.StartsWith("Configuration section 's' holds invalid TestOptions: Something else is wrong. Fix the values under 's'.", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Require_RequiredKey_MessagesNeverOfferToRemoveIt()
    {
        var reader = Reader(new() { ["s:Dimensions"] = "many", ["s:Optional"] = "few" });
        reader.Require("Dimensions");

        var required = Assert.Throws<ArgumentException>(() => reader.Int32("Dimensions"));
        var optional = Assert.Throws<ArgumentException>(() => reader.Int32("Optional"));

        Assert.Equal("Configuration value 's:Dimensions' is 'many', which is not a whole number such as 4096. Set a whole number such as 4096. (Parameter 'configuration')", required.Message);
        Assert.EndsWith("Set a whole number such as 4096, or remove the key to use the default. (Parameter 'configuration')", optional.Message, StringComparison.Ordinal);
        Assert.Equal("Configuration value 's:Size' is missing; TestOptions needs it. Set it to 3. (Parameter 'configuration')", reader.Missing("Size", "Set it to 3.").Message);
    }

    [Fact]
    public void Constructor_MissingSection_ThrowsUnlessAllowed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("present:Key", "1")]).Build();

        var ex = Assert.Throws<ArgumentException>(() => new ConfigurationReader(configuration.GetSection("absent"), "TestOptions"));
        var allowed = new ConfigurationReader(configuration.GetSection("absent"), "TestOptions", requireSection: false);

        Assert.Contains("'absent' is missing or empty", ex.Message, StringComparison.Ordinal);
        Assert.Null(allowed.Int32("Key"));
    }

    private static ConfigurationReader Reader(Dictionary<string, string?> values)
        => new(new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("s"), "TestOptions");
}
