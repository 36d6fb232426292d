namespace Chains.LLamaSharp.Tests;

public sealed class GbnfGrammarTests
{
    private const string JsonGrammar = """
        # A JSON grammar in llama.cpp's style.
        root   ::= object
        value  ::= object | array | string | number | ("true" | "false" | "null") ws

        object ::=
          "{" ws (
                    string ":" ws value
            ("," ws string ":" ws value)*
          )? "}" ws

        array  ::=
          "[" ws (
                    value
            ("," ws value)*
          )? "]" ws

        string ::=
          "\"" (
            [^"\\\x7F\x00-\x1F] |
            "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
          )* "\"" ws

        number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
        ws ::= | " " | "\n" [ \t]{0,20}
        """;

    public static TheoryData<string, string, int> InvalidGrammars => new()
    {
        { "root ::= value", "'value' is used but never defined", 1 },
        { "start ::= \"a\"", "no 'root' rule", 0 },
        { "root ::= (\"a\" | \"b\"", "unbalanced parenthesis", 1 },
        { "root ::= \"a\" )", "expecting a newline", 1 },
        { "root ::= \"abc", "unterminated string literal", 1 },
        { "root ::= [a-z", "unterminated character class", 1 },
        { "root ::= \"\\q\"", "unknown escape", 1 },
        { "root ::= \"\\x4\"", "hex digits", 1 },
        { "root ::= * \"a\"", "must follow an item", 1 },
        { "root ::= \"a\"{3,1}", "maximum below its minimum", 1 },
        { "root ::= \"a\"{2001}", "limit of 2000", 1 },
        { "root ::= root \"a\" | \"b\"", "left-recursive", 0 },
        { "root ::= x? root \"b\" | \"c\"\nx ::= \"x\"", "left-recursive", 0 },
        { "root ::= \"a\" root", "can never complete", 0 },
        { "root ::= \"a\"\nroot ::= \"b\"", "defined twice", 2 },
        { "# nothing", "has no rules", 1 },
        { "my_rule ::= \"a\"\nroot ::= my_rule", "expecting '::='", 1 },
        { "root ::= \"a\"\n  | \"b\"", "expecting a rule name", 2 },
        { "root ::= \"a\\x00\"", "NUL", 1 },
        { "root ::= \"a\" ::= \"b\"", "expecting a newline", 1 },
    };

    [Fact]
    public void Parse_LlamaCppStyleJsonGrammar_ListsItsRules()
    {
        var grammar = GbnfGrammar.Parse(JsonGrammar);

        Assert.Equal(["root", "value", "object", "array", "string", "number", "ws"], grammar.RuleNames);
        Assert.Equal(JsonGrammar, grammar.Text);
        Assert.Equal(JsonGrammar, grammar.ToString());
    }

    [Fact]
    public void Parse_EveryElementKind_IsAccepted()
    {
        var grammar = GbnfGrammar.Parse("""
            root ::= greeting (" " name)? tail{2} more{1,} opt{0,3} any <[12]> !<[13]> "\u00e9\U0001F642" [^\]\-\\] # comment
            greeting ::= "hi" | "hello"
            name ::= [A-Z] [a-z]*
            tail ::= [.!?]
            more ::= "+"
            opt ::= "-"
            any ::= .
            """);

        Assert.Equal(["root", "greeting", "name", "tail", "more", "opt", "any"], grammar.RuleNames);
    }

    [Theory]
    [MemberData(nameof(InvalidGrammars))]
    public void Parse_InvalidGrammar_ThrowsWithTheReasonAndLine(string text, string reason, int line)
    {
        var ex = Assert.Throws<GbnfGrammarException>(() => GbnfGrammar.Parse(text));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(line, ex.Line);
    }

    [Fact]
    public void JsonObject_IsAValidGrammarRootedAtAnObject()
    {
        var grammar = GbnfGrammar.JsonObject;

        Assert.Contains("root ::= object", grammar.Text, StringComparison.Ordinal);
        Assert.Contains("object", grammar.RuleNames);
    }
}
