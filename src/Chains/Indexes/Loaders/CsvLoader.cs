using System.Runtime.CompilerServices;
using System.Text;

namespace Chains.Indexes.Loaders;

/// <summary>
/// Loads a CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) or TSV file as one document per
/// data row. The content is the value of the single content column, or <c>name: value</c> lines for several; chosen
/// columns go into the metadata with the row index and line number.
/// </summary>
/// <remarks>
/// Ids are <c>{source}#row-{i}</c> with <c>i</c> the 0-based data row (the header not counted), also in the
/// <see cref="DocumentMetadataKeys.Row"/> metadata; <see cref="DocumentMetadataKeys.Line"/> is the 1-based line where
/// the row starts. Empty lines are skipped. The content is composed from fields rather than sliced from the file, so
/// the documents have no span (chunks of a row get spans relative to the row's content). A row with more fields than
/// the header, an unknown column name or an unterminated quote fails with an <see cref="InvalidDataException"/> that
/// names the line.
/// </remarks>
public sealed class CsvLoader : IDocumentLoader
{
    private readonly LoaderFile _file;
    private readonly CsvLoaderOptions _options;

    /// <summary>Initializes a loader for one file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">Dialect, column choice, encoding and source name; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the source name is blank, the delimiter
    /// is a quote or a line break, or a column list holds a blank name.</exception>
    public CsvLoader(string path, CsvLoaderOptions? options = null)
    {
        _options = options ?? new CsvLoaderOptions();
        _file = LoaderFile.Create(path, _options);
        if (_options.Delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"The delimiter cannot be '{_options.Delimiter}'.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(_options.MetadataColumns, "options.MetadataColumns");
        if (_options.MetadataColumns.Concat(_options.ContentColumns ?? []).Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Column names in ContentColumns and MetadataColumns must be non-empty.", nameof(options));
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or lacks a named column.</exception>
    public async IAsyncEnumerable<Document> LoadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (text, encoding) = await _file.ReadTextAsync(_options.Encoding, cancellationToken);
        var fileMetadata = _file.Metadata().With(DocumentMetadataKeys.Encoding, encoding.WebName);
        string[]? columns = null;
        int[] content = [], metadata = [];
        var row = 0;
        foreach (var (line, fields) in Records(text, _options.Delimiter))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (columns is null)
            {
                columns = _options.HasHeader
                    ? [.. fields.Select(f => f.Trim())]
                    : [.. Enumerable.Range(1, fields.Count).Select(i => $"column{i}")];
                (content, metadata) = ResolveColumns(columns);
                if (_options.HasHeader)
                {
                    continue;
                }
            }

            if (fields.Count > columns.Length)
            {
                throw new InvalidDataException($"{_file.SourceName} line {line}: the row has {fields.Count} fields but there are {columns.Length} columns.");
            }

            yield return new Document(
                $"{_file.SourceName}#row-{row}",
                Content(columns, content, fields),
                RowMetadata(fileMetadata, columns, metadata, fields, row, line),
                _file.SourceName);
            row++;
        }
    }

    private (int[] Content, int[] Metadata) ResolveColumns(string[] columns)
    {
        var duplicate = columns.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"{_file.SourceName}: the column '{duplicate.Key}' appears more than once.");
        }

        var metadata = Indexes(_options.MetadataColumns);
        var content = _options.ContentColumns is { } named
            ? Indexes(named)
            : [.. Enumerable.Range(0, columns.Length).Where(i => !metadata.Contains(i))];
        return (content, metadata);

        int[] Indexes(IEnumerable<string> names) => [.. names.Select(name =>
        {
            var index = Array.IndexOf(columns, name);
            return index >= 0
                ? index
                : throw new InvalidDataException($"{_file.SourceName}: there is no column '{name}'; the columns are {string.Join(", ", columns.Select(c => $"'{c}'"))}.");
        })];
    }

    private static string Content(string[] columns, int[] content, List<string> fields)
    {
        if (content.Length == 1)
        {
            return Field(fields, content[0]);
        }

        var builder = new StringBuilder();
        foreach (var index in content)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(columns[index]).Append(": ").Append(Field(fields, index));
        }

        return builder.ToString();
    }

    private static DocumentMetadata RowMetadata(DocumentMetadata file, string[] columns, int[] metadata, List<string> fields, int row, int line)
    {
        var entries = new List<KeyValuePair<string, object?>>(file)
        {
            new(DocumentMetadataKeys.Row, row),
            new(DocumentMetadataKeys.Line, line),
        };
        entries.AddRange(metadata.Select(i => new KeyValuePair<string, object?>(columns[i], Field(fields, i))));
        return new DocumentMetadata(entries);
    }

    private static string Field(List<string> fields, int index) => index < fields.Count ? fields[index] : string.Empty;

    /// <summary>Parses RFC 4180 records, with the 1-based line each starts on.</summary>
    private IEnumerable<(int Line, List<string> Fields)> Records(string text, char delimiter)
    {
        var position = 0;
        var line = 1;
        var value = new StringBuilder();
        while (position < text.Length)
        {
            if (text[position] is '\r' or '\n')
            {
                position = SkipLineBreak(text, position);
                line++;
                continue;
            }

            var recordLine = line;
            var fields = new List<string>();
            while (true)
            {
                if (position < text.Length && text[position] == '"')
                {
                    position++;
                    value.Clear();
                    while (true)
                    {
                        if (position >= text.Length)
                        {
                            throw new InvalidDataException($"{_file.SourceName} line {recordLine}: a quoted field is not closed.");
                        }

                        var c = text[position];
                        if (c == '"')
                        {
                            if (position + 1 < text.Length && text[position + 1] == '"')
                            {
                                value.Append('"');
                                position += 2;
                                continue;
                            }

                            position++;
                            break;
                        }

                        if (c == '\n' || (c == '\r' && (position + 1 == text.Length || text[position + 1] != '\n')))
                        {
                            line++;
                        }

                        value.Append(c);
                        position++;
                    }

                    // Be lenient with text between the closing quote and the delimiter: keep it.
                    while (position < text.Length && text[position] != delimiter && text[position] is not ('\r' or '\n'))
                    {
                        value.Append(text[position++]);
                    }

                    fields.Add(value.ToString());
                }
                else
                {
                    var start = position;
                    while (position < text.Length && text[position] != delimiter && text[position] is not ('\r' or '\n'))
                    {
                        position++;
                    }

                    fields.Add(text[start..position]);
                }

                if (position < text.Length && text[position] == delimiter)
                {
                    position++;
                    continue;
                }

                break;
            }

            if (position < text.Length)
            {
                position = SkipLineBreak(text, position);
                line++;
            }

            yield return (recordLine, fields);
        }
    }

    private static int SkipLineBreak(string text, int position)
        => text[position] == '\r' && position + 1 < text.Length && text[position + 1] == '\n' ? position + 2 : position + 1;
}
