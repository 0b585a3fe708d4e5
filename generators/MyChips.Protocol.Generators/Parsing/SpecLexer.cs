using System.Collections.Generic;
using System.Text;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>Splits one line of a spec into tokens. Comments start with '#' or '//'.</summary>
internal static class SpecLexer
{
    public static List<Token> Tokenize(string text, int lineStart, int lineEnd, int line, List<(SourceSpan Span, string Message)> errors)
    {
        var tokens = new List<Token>();
        var i = lineStart;
        while (i < lineEnd)
        {
            var c = text[i];
            if (c == ' ' || c == '\t' || c == '\r')
            {
                i++;
                continue;
            }
            if (c == '#' || (c == '/' && i + 1 < lineEnd && text[i + 1] == '/'))
                break;

            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < lineEnd && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '.'))
                    i++;
                tokens.Add(Make(TokenKind.Identifier, text.Substring(start, i - start)));
            }
            else if (char.IsDigit(c))
            {
                while (i < lineEnd && char.IsLetterOrDigit(text[i]))
                    i++;
                tokens.Add(Make(TokenKind.Number, text.Substring(start, i - start)));
            }
            else if (c == '\'' || c == '"')
            {
                var value = new StringBuilder();
                i++;
                while (i < lineEnd && text[i] != c)
                    value.Append(text[i++]);
                if (i >= lineEnd)
                {
                    errors.Add((Span(start, lineEnd - start), "This quoted text has no closing quote."));
                    return tokens;
                }
                i++;
                tokens.Add(Make(c == '\'' ? TokenKind.Char : TokenKind.String, value.ToString()));
            }
            else if (c == '-' && i + 1 < lineEnd && text[i + 1] == '>')
            {
                i += 2;
                tokens.Add(Make(TokenKind.Symbol, "->"));
            }
            else if ("{}():,|?".IndexOf(c) >= 0)
            {
                i++;
                tokens.Add(Make(TokenKind.Symbol, c.ToString()));
            }
            else
            {
                errors.Add((Span(start, 1), $"Unexpected character '{c}'."));
                return tokens;
            }

            Token Make(TokenKind kind, string value) => new(kind, value, Span(start, i - start));
        }

        var end = i < lineEnd ? i : lineEnd;
        tokens.Add(new Token(TokenKind.EndOfLine, "", Span(end, 0)));
        return tokens;

        SourceSpan Span(int start, int length) => new(start, length, line, start - lineStart);
    }
}
