using System;
using System.Globalization;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>The parser's token-level helpers: take, expect and describe tokens, and the error that skips a line.</summary>
internal sealed partial class SpecParser
{
    private long ExpectDuration()
    {
        var token = Expect(TokenKind.Number, "a duration such as 500ms, 10s, 5m or 1h");
        var digits = 0;
        while (digits < token.Text.Length && char.IsDigit(token.Text[digits]))
            digits++;
        var unit = token.Text.Substring(digits);
        long scale = unit switch { "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000, _ => 0 };
        if (scale == 0 || !long.TryParse(token.Text.Substring(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > int.MaxValue)
            throw Error(token, $"Expected a positive duration such as 500ms, 10s, 5m or 1h but found '{token.Text}'.");
        return amount * scale;
    }

    private (string Type, bool Optional) ExpectType()
    {
        var type = Expect(TokenKind.Identifier, "a type");
        if (Array.IndexOf(FieldTypes, type.Text) < 0)
            throw Error(type, $"Unknown type '{type.Text}'; the types are {string.Join(", ", FieldTypes)}.");
        return (type.Text, TryTake("?"));
    }

    private Token Peek() => _tokens[_position];

    private Token Next()
    {
        var token = _tokens[_position];
        if (token.Kind != TokenKind.EndOfLine)
            _position++;
        return token;
    }

    private bool TryTake(string symbol)
    {
        if (Peek().Kind == TokenKind.Symbol && Peek().Text == symbol)
        {
            _position++;
            return true;
        }
        return false;
    }

    private Named ExpectName(string what)
    {
        var token = Expect(TokenKind.Identifier, what);
        return new Named(token.Text, token.Span);
    }

    private Token Expect(TokenKind kind, string what)
    {
        var token = Next();
        if (token.Kind != kind)
            throw Error(token, $"Expected {what} but found {token.Describe()}.");
        return token;
    }

    private void ExpectKeyword(string keyword)
    {
        var token = Next();
        if (!token.Is(keyword) || token.Kind != TokenKind.Identifier)
            throw Error(token, $"Expected '{keyword}' but found {token.Describe()}.");
    }

    private void ExpectSymbol(string symbol)
    {
        if (!TryTake(symbol))
            throw Error(Peek(), $"Expected '{symbol}' but found {Peek().Describe()}.");
    }

    private void ExpectEndOfLine()
    {
        if (Peek().Kind != TokenKind.EndOfLine)
            throw Error(Peek(), $"Expected the end of the line but found {Peek().Describe()}.");
    }

    private static SyntaxException Error(Token token, string message) => new(token.Span, message);

    private sealed class SyntaxException : Exception
    {
        public SyntaxException(SourceSpan span, string message)
            : base(message) => Span = span;

        public SourceSpan Span { get; }
    }
}
