using System.Text.Json;
using Chains.Agents;
using Microsoft.Extensions.AI;

namespace Chains.Tests.Agents;

public sealed class ToolArgumentValidatorTests
{
    private static ToolArgumentValidator For(string schema) => ToolArgumentValidator.Create(JsonElement.Parse(schema));

    private static Dictionary<string, object?> Args(string json)
        => JsonElement.Parse(json).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

    [Fact]
    public void Validate_FunctionFactorySchema_MatchingArgumentsPass()
    {
        var tool = AIFunctionFactory.Create((string city, int days, bool metric = true) => city, "forecast");
        var validator = ToolArgumentValidator.Create(tool.JsonSchema);

        Assert.Null(validator.Validate(Args("""{"city":"Oslo","days":3}""")));
        Assert.Null(validator.Validate(new Dictionary<string, object?> { ["city"] = "Oslo", ["days"] = 3, ["metric"] = false }));
    }

    [Fact]
    public void Validate_SeveralProblems_AllNamedInOneMessage()
    {
        var validator = For("""{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}""");

        var problem = validator.Validate(Args("""{"days":2.5}"""));

        Assert.Equal("'city' is required; 'days' must be an integer, got 2.5.", problem);
    }

    [Theory]
    [InlineData("""{"n":"12"}""", true)]
    [InlineData("""{"n":"12x"}""", false)]
    [InlineData("""{"n":3.0}""", true)]
    [InlineData("""{"n":null}""", false)]
    public void Validate_IntegerAsStringOrWholeDouble_Tolerated(string arguments, bool valid)
        => Assert.Equal(valid, For("""{"properties":{"n":{"type":"integer"}}}""").Validate(Args(arguments)) is null);

    [Fact]
    public void Validate_NullableType_NullAccepted()
        => Assert.Null(For("""{"properties":{"note":{"type":["string","null"]}}}""").Validate(Args("""{"note":null}""")));

    [Fact]
    public void Validate_EnumValue_CaseInsensitiveMatchAndClearError()
    {
        var validator = For("""{"properties":{"unit":{"type":"string","enum":["Celsius","Fahrenheit"]}}}""");

        Assert.Null(validator.Validate(Args("""{"unit":"celsius"}""")));
        Assert.Equal("'unit' must be one of \"Celsius\", \"Fahrenheit\", got \"kelvin\".", validator.Validate(Args("""{"unit":"kelvin"}""")));
    }

    [Fact]
    public void Validate_UnknownArgument_OnlyRejectedWhenSchemaForbidsExtras()
    {
        Assert.Null(For("""{"properties":{"a":{"type":"string"}}}""").Validate(Args("""{"b":1}""")));
        Assert.Equal(
            "'b' is not a parameter (expected 'a').",
            For("""{"properties":{"a":{"type":"string"}},"additionalProperties":false}""").Validate(Args("""{"b":1}""")));
    }

    [Fact]
    public void Validate_NoArgumentsForRequired_Reported()
        => Assert.Equal("'q' is required.", For("""{"properties":{"q":{"type":"string"}},"required":["q"]}""").Validate(null));

    [Fact]
    public void Create_EmptySchema_Trivial()
    {
        Assert.True(ToolArgumentValidator.Create(default).IsTrivial);
        Assert.True(For("{}").IsTrivial);
        Assert.Null(For("{}").Validate(Args("""{"anything":1}""")));
    }
}
