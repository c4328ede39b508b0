using System.Globalization;
using System.Text;

namespace Auditrail.Core.Redaction;

/// <summary>
/// Finds credentials inside free text: <c>Bearer</c> tokens and credential-looking query parameters.
/// </summary>
/// <remarks>
/// Every comparison here is ASCII-only case-insensitive on purpose. <see cref="StringComparison.OrdinalIgnoreCase"/>
/// folds some non-ASCII letters onto ASCII ones (U+017F 'ſ' upper-cases to 'S'), which the byte-level pre-check in
/// <see cref="RedactionPrefilter"/> cannot see; matching only ASCII keeps the two in agreement.
/// </remarks>
internal static class CredentialText
{
    private const string BearerScheme = "bearer";

    // Query parameter names that carry credentials when they contain one of these (access_token, id_token,
    // client_secret, password, passwd, ...). RedactionPrefilter looks for the same three words.
    private static readonly string[] CredentialParameterWords = ["token", "secret", "passw"];

    /// <summary>Replaces the credential after each <c>Bearer</c> scheme word; returns <paramref name="text"/> itself when there is none.</summary>
    public static string RedactBearerTokens(string text, out int count)
    {
        count = 0;
        StringBuilder? redacted = null;
        var copiedUpTo = 0;
        var searchFrom = 0;
        while (searchFrom < text.Length)
        {
            var scheme = IndexOfAsciiIgnoreCase(text, BearerScheme, searchFrom);
            if (scheme < 0)
            {
                break;
            }

            searchFrom = scheme + BearerScheme.Length;
            if (scheme > 0 && char.IsAsciiLetterOrDigit(text[scheme - 1]))
            {
                continue; // part of a longer word, not the auth scheme
            }

            var tokenStart = SkipSchemeSeparators(text, searchFrom);
            if (tokenStart == searchFrom)
            {
                continue; // "Bearer" not followed by a separator is prose, not a credential
            }

            var tokenEnd = tokenStart;
            while (tokenEnd < text.Length && !EndsBearerToken(text[tokenEnd]))
            {
                tokenEnd++;
            }

            if (tokenEnd == tokenStart)
            {
                continue;
            }

            redacted ??= new StringBuilder(text.Length);
            redacted.Append(text, copiedUpTo, tokenStart - copiedUpTo).Append(EventRedactor.Placeholder);
            copiedUpTo = tokenEnd;
            searchFrom = tokenEnd;
            count++;
        }

        return redacted is null ? text : redacted.Append(text, copiedUpTo, text.Length - copiedUpTo).ToString();
    }

    /// <summary>
    /// Replaces the value of each query parameter whose (percent-decoded) name contains token, secret or passw.
    /// Returns <paramref name="uri"/> itself when there is none.
    /// </summary>
    public static string RedactQueryCredentials(string uri, out int count)
    {
        count = 0;
        var query = uri.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return uri;
        }

        var queryEnd = uri.IndexOf('#', query);
        if (queryEnd < 0)
        {
            queryEnd = uri.Length;
        }

        StringBuilder? redacted = null;
        var copiedUpTo = 0;
        var parameterStart = query + 1;
        while (parameterStart <= queryEnd)
        {
            var parameterEnd = uri.IndexOf('&', parameterStart, queryEnd - parameterStart);
            if (parameterEnd < 0)
            {
                parameterEnd = queryEnd;
            }

            var equals = uri.IndexOf('=', parameterStart, parameterEnd - parameterStart);
            if (equals >= 0 && equals + 1 < parameterEnd && IsCredentialParameter(uri.AsSpan(parameterStart, equals - parameterStart)))
            {
                redacted ??= new StringBuilder(uri.Length);
                redacted.Append(uri, copiedUpTo, equals + 1 - copiedUpTo).Append(EventRedactor.Placeholder);
                copiedUpTo = parameterEnd;
                count++;
            }

            parameterStart = parameterEnd + 1;
        }

        return redacted is null ? uri : redacted.Append(uri, copiedUpTo, uri.Length - copiedUpTo).ToString();
    }

    /// <summary>ASCII-only case-insensitive equality; see the class remarks for why not OrdinalIgnoreCase.</summary>
    public static bool EqualsAsciiIgnoreCase(string? value, string expected) =>
        value is not null && Ascii.EqualsIgnoreCase(value, expected);

    private static bool IsCredentialParameter(ReadOnlySpan<char> encodedName)
    {
        // Decode %XX so that "acc%65ss_token" is recognised like the server would; non-ASCII bytes stay non-ASCII
        // and can never match the ASCII words.
        Span<char> decoded = encodedName.Length <= 256 ? stackalloc char[encodedName.Length] : new char[encodedName.Length];
        var length = 0;
        for (var i = 0; i < encodedName.Length; i++)
        {
            if (encodedName[i] == '%' && i + 2 < encodedName.Length
                && char.IsAsciiHexDigit(encodedName[i + 1]) && char.IsAsciiHexDigit(encodedName[i + 2]))
            {
                decoded[length++] = (char)byte.Parse(encodedName.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                i += 2;
            }
            else
            {
                decoded[length++] = encodedName[i];
            }
        }

        foreach (var word in CredentialParameterWords)
        {
            if (IndexOfAsciiIgnoreCase(decoded[..length], word, 0) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static int SkipSchemeSeparators(string text, int index)
    {
        while (index < text.Length)
        {
            if (text[index] is ' ' or '\t' or '+')
            {
                index++;
            }
            else if (index + 2 < text.Length && text[index] == '%' && text[index + 1] == '2' && text[index + 2] == '0')
            {
                index += 3; // URL-encoded space, as in "?authorization=Bearer%20..."
            }
            else
            {
                break;
            }
        }

        return index;
    }

    // Tokens are token68 (base64url, dots, ~+/=) in practice; static token files allow more, so stop only at
    // characters that delimit the token in the surrounding text (quotes, separators, brackets, whitespace).
    private static bool EndsBearerToken(char c) =>
        char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or ',' or ';' or '&' or '<' or '>' or '(' or ')'
            or '[' or ']' or '{' or '}' or '\\';

    private static int IndexOfAsciiIgnoreCase(ReadOnlySpan<char> text, string word, int start)
    {
        for (var i = start; i <= text.Length - word.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(text.Slice(i, word.Length), word))
            {
                return i;
            }
        }

        return -1;
    }
}
