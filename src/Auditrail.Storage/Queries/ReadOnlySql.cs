namespace Auditrail.Storage.Queries;

/// <summary>
/// The first of three guards on <c>query sql</c>: one statement, and it must be a query. The store
/// then runs it as a subquery (which DuckDB's parser only accepts for SELECT-like statements), on a
/// connection without access to files other than the store, opened read-only when nothing writes.
/// </summary>
public static class ReadOnlySql
{
    /// <summary>Statements that only read: DuckDB also accepts FROM-first and VALUES queries.</summary>
    private static readonly string[] QueryKeywords = ["SELECT", "WITH", "FROM", "VALUES"];

    /// <summary>Checks <paramref name="sql"/>; on success <paramref name="statement"/> is the statement without its trailing ';'.</summary>
    public static bool TryValidate(string sql, out string statement, out string? error)
    {
        statement = string.Empty;
        var statementEnd = sql.Length;
        var scanner = new SqlScanner(sql);
        string? firstWord = null;
        var statementEnded = false;
        while (scanner.Next(out var token))
        {
            if (token.Kind == SqlTokenKind.Unterminated)
            {
                error = $"the SQL has an unterminated {token.Text} starting at offset {token.Offset}";
                return false;
            }

            if (token.Kind == SqlTokenKind.Semicolon)
            {
                statementEnd = statementEnded ? statementEnd : token.Offset;
                statementEnded = true;
                continue;
            }

            if (statementEnded)
            {
                error = "only one statement is allowed: remove what follows the ';'";
                return false;
            }

            firstWord ??= token.Kind == SqlTokenKind.Word ? token.Text.ToUpperInvariant() : string.Empty;
        }

        if (firstWord is null)
        {
            error = "the SQL is empty";
            return false;
        }

        if (!QueryKeywords.Contains(firstWord))
        {
            error = $"only read-only queries are allowed (SELECT or WITH …), not {(firstWord.Length == 0 ? "this statement" : firstWord)}";
            return false;
        }

        statement = sql[..statementEnd];
        error = null;
        return true;
    }

    private enum SqlTokenKind
    {
        Word,
        Semicolon,
        Other,
        Unterminated,
    }

    private readonly record struct SqlToken(SqlTokenKind Kind, string Text, int Offset);

    /// <summary>
    /// Just enough of DuckDB's lexer to find words and statement-ending semicolons: it skips string
    /// literals ('…' with '' escapes), quoted identifiers ("…"), dollar-quoted strings ($tag$…$tag$),
    /// -- line comments and /* */ block comments, so a ';' inside any of them is not a separator.
    /// </summary>
    private ref struct SqlScanner(string text)
    {
        private int _position;

        public bool Next(out SqlToken token)
        {
            while (_position < text.Length)
            {
                var start = _position;
                var c = text[_position];
                if (char.IsWhiteSpace(c))
                {
                    _position++;
                }
                else if (c == '-' && Peek(1) == '-')
                {
                    var end = text.IndexOf('\n', _position);
                    _position = end < 0 ? text.Length : end + 1;
                }
                else if (c == '/' && Peek(1) == '*')
                {
                    var end = text.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        token = new SqlToken(SqlTokenKind.Unterminated, "comment", start);
                        _position = text.Length;
                        return true;
                    }

                    _position = end + 2;
                }
                else if (c is '\'' or '"')
                {
                    if (!SkipQuoted(c))
                    {
                        token = new SqlToken(SqlTokenKind.Unterminated, c == '\'' ? "string" : "quoted identifier", start);
                        return true;
                    }

                    token = new SqlToken(SqlTokenKind.Other, text[start.._position], start);
                    return true;
                }
                else if (c == '$' && TryDollarTag(out var tag))
                {
                    var end = text.IndexOf(tag, _position + tag.Length, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        token = new SqlToken(SqlTokenKind.Unterminated, "dollar-quoted string", start);
                        _position = text.Length;
                        return true;
                    }

                    _position = end + tag.Length;
                    token = new SqlToken(SqlTokenKind.Other, text[start.._position], start);
                    return true;
                }
                else if (c == ';')
                {
                    _position++;
                    token = new SqlToken(SqlTokenKind.Semicolon, ";", start);
                    return true;
                }
                else if (char.IsLetter(c) || c == '_')
                {
                    while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] == '_'))
                    {
                        _position++;
                    }

                    token = new SqlToken(SqlTokenKind.Word, text[start.._position], start);
                    return true;
                }
                else
                {
                    _position++;
                    token = new SqlToken(SqlTokenKind.Other, c.ToString(), start);
                    return true;
                }
            }

            token = default;
            return false;
        }

        private readonly char Peek(int ahead) => _position + ahead < text.Length ? text[_position + ahead] : '\0';

        /// <summary>Moves past a quoted run whose quote character is doubled to escape it; false when it never closes.</summary>
        private bool SkipQuoted(char quote)
        {
            _position++;
            while (_position < text.Length)
            {
                if (text[_position] == quote)
                {
                    if (Peek(1) == quote)
                    {
                        _position += 2;
                        continue;
                    }

                    _position++;
                    return true;
                }

                _position++;
            }

            return false;
        }

        /// <summary>A dollar-quote opener: <c>$$</c> or <c>$tag$</c> (a parameter such as <c>$1</c> is not one).</summary>
        private readonly bool TryDollarTag(out string tag)
        {
            var end = _position + 1;
            while (end < text.Length && (char.IsLetter(text[end]) || text[end] == '_'))
            {
                end++;
            }

            if (end < text.Length && text[end] == '$')
            {
                tag = text[_position..(end + 1)];
                return true;
            }

            tag = string.Empty;
            return false;
        }
    }
}
