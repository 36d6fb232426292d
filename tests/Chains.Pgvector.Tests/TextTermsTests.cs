using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector.Tests;

/// <summary><see cref="TextTerms"/>: CJK runs become positioned bigrams on the client; words are built on the client for
/// the <c>simple</c> configuration and left to the server's configuration otherwise.</summary>
public sealed class TextTermsTests(PostgresServer server)
{
    [Fact]
    public void ForDocument_LatinOnlyForServerConfig_LeavesEverythingToPostgres()
    {
        var (parsed, vector) = TextTerms.ForDocument("Plain English text, nothing else.", includeWords: false);

        Assert.Null(parsed);
        Assert.Equal(string.Empty, vector);
    }

    [Fact]
    public void ForDocument_MixedTextForServerConfig_BlanksCjkRunsAndPositionsTheirTerms()
    {
        var (parsed, vector) = TextTerms.ForDocument("pgvector 向量库。Done 日本語", includeWords: false);

        Assert.Equal("pgvector  。Done  ", parsed); // "。" is punctuation, left to the parser
        Assert.Equal("'向':1 '向量':1 '库':3 '日':4 '日本':4 '本':5 '本語':5 '語':6 '量':2 '量库':2", vector);
    }

    [Fact]
    public void ForDocument_MixedTextForSimpleConfig_PositionsWordsAndCjkTermsInOrder()
    {
        var (parsed, vector) = TextTerms.ForDocument("Ask 量子计算, ask again! It's O'Brien's", includeWords: true);

        Assert.Null(parsed);
        Assert.Equal("'again':7 'ask':1,6 'brien':11 'it':8 'o':10 's':9,12 '子':3 '子计':3 '算':5 '计':4 '计算':4 '量':2 '量子':2", vector);
    }

    [Fact]
    public void ForDocument_SupplementaryIdeographs_KeepsSurrogatePairsWhole()
        => Assert.Equal("'𠀀':1 '𠀀𠀁':1 '𠀁':2", TextTerms.ForDocument("𠀀𠀁", includeWords: true).Vector);

    [Fact]
    public async Task ForDocument_HostileAndLongText_GivesValidTsvectorInput()
    {
        var text = "a'b \\ 'quoted' 中'文 " + string.Join(' ', Enumerable.Repeat("repeat", 400)) + " " + new string('x', 3000);

        var (_, vector) = TextTerms.ForDocument(text, includeWords: true);

        Assert.Equal("'a':1 'b':2", TextTerms.ForDocument("a'b", includeWords: true).Vector);
        Assert.Equal(256L, await server.ScalarAsync("SELECT array_length(positions, 1)::bigint FROM unnest($1::tsvector) WHERE lexeme = 'repeat'", vector));
        Assert.Equal(0L, await server.ScalarAsync("SELECT count(*) FROM unnest($1::tsvector) WHERE length(lexeme) > 2046", vector));
        Assert.Equal(1L, await server.ScalarAsync("SELECT count(*) FROM unnest($1::tsvector) WHERE lexeme = 'quoted'", vector));
    }

    [Fact]
    public async Task ForDocument_SimpleConfigOnPlainText_MatchesPostgresToTsvector()
    {
        const string Text = "The Quick brown fox jumps over 42 lazy dogs; the END. Ünïcödé ΣΊΣΥΦΟΣ words too";

        var client = await server.ScalarAsync("SELECT $1::tsvector::text", TextTerms.ForDocument(Text, includeWords: true).Vector);
        var postgres = await server.ScalarAsync("SELECT to_tsvector('simple', $1)::text", Text);

        Assert.Equal(postgres, client);
    }

    [Fact]
    public async Task ForDocument_RepeatedWordsSharingLongPrefixes_MatchesPostgresToTsvector()
    {
        const string Text = "Consideration considerate CONSIDER considerations consideration consider internationalization " +
                            "international Internationalization internationalisation inter intern internal interns inter";

        var client = await server.ScalarAsync("SELECT $1::tsvector::text", TextTerms.ForDocument(Text, includeWords: true).Vector);
        var postgres = await server.ScalarAsync("SELECT to_tsvector('simple', $1)::text", Text);

        Assert.Equal(postgres, client);
    }

    [Fact]
    public void ForDocument_LoneSurrogates_BreakWordsInsteadOfThrowing()
    {
        Assert.Equal("'ab':1 'cd':2 '中':3", TextTerms.ForDocument("ab\uD800cd\uDC00中", includeWords: true).Vector);
        Assert.Equal("'中':1", TextTerms.ForDocument("ab\uD800cd\uDC00中", includeWords: false).Vector);
    }

    [Fact]
    public void ForDocument_RepeatedCjkRun_GroupsEveryPositionOfEachTerm()
        => Assert.Equal(
            "'库':3,6 '库数':3 '据':2,5 '据库':2,5 '数':1,4 '数据':1,4",
            TextTerms.ForDocument("数据库数据库", includeWords: true).Vector);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ForDocumentBinary_MixedHostileAndHugeText_ServerReadsTheSameVectorAsTheTextForm(bool includeWords)
    {
        string[] texts =
        [
            string.Empty,
            "Plain English text, nothing else.",
            "pgvector 向量库。Done 日本語",
            "a'b \\ 'quoted' 中'文 𠀀𠀁 Ünïcödé ΣΊΣΥΦΟΣ " + string.Join(' ', Enumerable.Repeat("repeat", 400)) + " " + new string('x', 3000),
            string.Join(' ', Enumerable.Range(0, 150_000).Select(i => "w" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture))), // over the 1 MB tsvector limit
        ];
        await using var dataSource = server.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE binary_terms (i int, terms tsvector)", connection))
        {
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using (var writer = await connection.BeginBinaryImportAsync("COPY binary_terms (i, terms) FROM STDIN (FORMAT BINARY)", TestContext.Current.CancellationToken))
        {
            for (var i = 0; i < texts.Length; i++)
            {
                await writer.StartRowAsync(TestContext.Current.CancellationToken);
                await writer.WriteAsync(i, NpgsqlDbType.Integer, TestContext.Current.CancellationToken);
                await writer.WriteAsync(TextTerms.ForDocumentBinary(texts[i], includeWords).Vector, NpgsqlDbType.Bytea, TestContext.Current.CancellationToken);
            }

            await writer.CompleteAsync(TestContext.Current.CancellationToken);
        }

        for (var i = 0; i < texts.Length; i++)
        {
            var (parsed, text) = TextTerms.ForDocument(texts[i], includeWords);
            Assert.Equal(parsed, TextTerms.ForDocumentBinary(texts[i], includeWords).ParsedText);
            await using var compare = new NpgsqlCommand("SELECT (SELECT terms FROM binary_terms WHERE i = $1) = $2::tsvector, length($2::tsvector)", connection);
            compare.Parameters.Add(new NpgsqlParameter<int> { TypedValue = i });
            compare.Parameters.Add(new NpgsqlParameter<string> { TypedValue = text });
            await using var reader = await compare.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
            Assert.True(reader.GetBoolean(0), $"text {i}: the binary and text forms differ");
            if (i == texts.Length - 1 && includeWords)
            {
                Assert.InRange(reader.GetInt32(1), 10_000, 149_999); // cut under the limit, at the same lexeme in both forms
            }
        }
    }

    [Fact]
    public void ForQuery_MixedText_GivesLowerCasedWordsAndBigrams()
    {
        var (words, terms) = TextTerms.ForQuery("What is 量子计算? Ask PostgreSQL's planner (v17)!");

        Assert.Equal(["what", "is", "ask", "postgresql", "s", "planner", "v17"], words);
        Assert.Equal(["量子", "子计", "计算"], terms);
    }

    [Fact]
    public void ForQuery_SingleCjkCharacter_KeepsItAsAUnigram()
        => Assert.Equal(["茶"], TextTerms.ForQuery("茶").Terms);

    [Fact]
    public void ForQuery_OnlyPunctuation_GivesNothing()
    {
        var (words, terms) = TextTerms.ForQuery("?! ... ; --");

        Assert.Empty(words);
        Assert.Empty(terms);
    }

    [Fact]
    public void ToTsQueryText_Terms_QuotesEachAndJoinsWithOr()
        => Assert.Equal("'量子' | 'a''b' | 'c\\\\d'", TextTerms.ToTsQueryText(["量子", "a'b", "c\\d"]));
}
