using System.Text.Json;
using Chains.LLamaSharp.Grammars;

namespace Chains.LLamaSharp.Tests.Grammars;

public sealed class JsonSchemaGrammarBuilderTests
{
    [Theory]
    [InlineData("""{"type":"string"}""", "root ::= string")]
    [InlineData("""{"type":"integer"}""", "root ::= integer")]
    [InlineData("""{"type":"number"}""", "root ::= number")]
    [InlineData("""{"type":"boolean"}""", "root ::= boolean")]
    [InlineData("""{"type":"null"}""", "root ::= null")]
    [InlineData("""{}""", "root ::= value")]
    [InlineData("""true""", "root ::= value")]
    [InlineData("""{"const":"v1"}""", "root ::= \"\\\"v1\\\"\" space")]
    [InlineData("""{"enum":["a",1,null,true]}""", "root-value ::= \"\\\"a\\\"\" space | \"1\" space | \"null\" space | \"true\" space")]
    [InlineData("""{"type":"string","maxLength":5}""", "\"\\\"\" char{0,5} \"\\\"\" space")]
    [InlineData("""{"type":"string","minLength":2}""", "char{2,}")]
    [InlineData("""{"type":"string","format":"date-time"}""", "root ::= date-time-string")]
    [InlineData("""{"type":"string","format":"uuid"}""", "root ::= uuid")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3}""", "\"[\" space integer ( \",\" space integer ){0,2} \"]\" space")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"maxItems":2}""", "\"[\" space ( integer ( \",\" space integer )? )? \"]\" space")]
    [InlineData("""{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}]}""", "\"[\" space string \",\" space integer \"]\" space")]
    [InlineData("""{"type":["string","null"]}""", "root-value ::= string | null")]
    [InlineData("""{"type":"integer","nullable":true}""", "integer | null")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"integer"}]}""", "root-value ::= string | integer")]
    [InlineData("""{"oneOf":[{"type":"boolean"},{"type":"null"}]}""", "root-value ::= boolean | null")]
    [InlineData("""{"allOf":[{"type":"boolean"}]}""", "root ::= boolean")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"integer"}}""", "root-value-kv ::= string \":\" space integer")]
    [InlineData("""{"type":"object","additionalProperties":false}""", "\"{\" space \"}\" space")]
    public void Build_SupportedKeyword_GivesAValidGrammarWithTheExpectedRule(string schema, string expected)
    {
        var text = Build(schema);

        Assert.Contains(expected, text, StringComparison.Ordinal);
        GbnfGrammar.Parse(text);
    }

    [Fact]
    public void Build_ObjectWithRequiredAndOptionalProperties_KeepsOrderAndMakesOptionalsSkippable()
    {
        var text = Build("""
            {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"},"c":{"type":"boolean"},"d":{"type":"null"}},"required":["a","c"]}
            """);

        GbnfGrammar.Parse(text);
        Assert.Contains("root-value ::= \"{\" space root-value-a-kv \",\" space root-value-c-kv ( \",\" space root-value-rest-0 )? \"}\" space", text, StringComparison.Ordinal);
        Assert.Contains("root-value-rest-0 ::= root-value-b-kv ( \",\" space root-value-d-kv )? | root-value-d-kv", text, StringComparison.Ordinal);
        Assert.Contains("root-value-a-kv ::= \"\\\"a\\\"\" space \":\" space integer", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RecursiveRef_DefinesTheReferencedRuleOnce()
    {
        var text = Build("""
            {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["value"]}}}
            """);

        GbnfGrammar.Parse(text);
        Assert.Single(text.Split('\n'), l => l.StartsWith("ref-node ::= ", StringComparison.Ordinal));
        Assert.Contains("root ::= ref-node", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PropertyNamesWithAnyCharacters_GiveValidRuleNamesAndExactKeys()
    {
        var text = Build("""{"type":"object","properties":{"first name":{"type":"string"},"x_y":{"type":"string"},"ünï \"q\"":{"type":"integer"}},"required":["first name","x_y","ünï \"q\""]}""");

        GbnfGrammar.Parse(text);
        Assert.Contains("\"\\\"first name\\\"\" space", text, StringComparison.Ordinal);
        Assert.Contains("\"\\\"ünï \\\\\\\"q\\\\\\\"\\\"\" space", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a+$"}""", "pattern")]
    [InlineData("""{"type":"integer","minimum":1}""", "minimum")]
    [InlineData("""{"type":"number","multipleOf":2}""", "multipleOf")]
    [InlineData("""{"not":{"type":"null"}}""", "not")]
    [InlineData("""{"if":{"type":"string"},"then":{"maxLength":2}}""", "if")]
    [InlineData("""{"type":"object","minProperties":1}""", "minProperties")]
    [InlineData("""{"allOf":[{"type":"string"},{"maxLength":2}]}""", "allOf")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""", "outside the schema")]
    public void Build_UnenforceableKeyword_ThrowsNotSupportedNamingIt(string schema, string keyword)
    {
        var ex = Assert.Throws<NotSupportedException>(() => Build(schema));

        Assert.Contains(keyword, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""false""", "'false'")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "does not resolve")]
    [InlineData("""{"type":"object","properties":{},"required":["a"],"additionalProperties":false}""", "required")]
    [InlineData("""{"type":"array","minItems":3,"maxItems":1}""", "below")]
    [InlineData("""{"type":"wat"}""", "Unknown type")]
    [InlineData("""{"enum":[]}""", "non-empty")]
    public void Build_InvalidSchema_ThrowsArgumentException(string schema, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => Build(schema));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HugeMaxLength_StaysWithinLlamaCppRepetitionLimits()
    {
        var text = Build("""{"type":"object","properties":{"s":{"type":"string","maxLength":100000},"a":{"type":"array","maxItems":5000}},"required":["s","a"]}""");

        GbnfGrammar.Parse(text);
        Assert.Contains("char*", text, StringComparison.Ordinal);
    }

    private static string Build(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return JsonSchemaGrammarBuilder.Build(document.RootElement.Clone());
    }
}
