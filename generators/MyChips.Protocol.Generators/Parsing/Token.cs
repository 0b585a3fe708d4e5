namespace MyChips.Protocol.Generators.Parsing;

internal enum TokenKind
{
    Identifier,
    Number,
    Char,
    String,
    Symbol,
    EndOfLine,
}

/// <summary>A position in the spec: offset and length in characters, 0-based line and column.</summary>
internal readonly record struct SourceSpan(int Start, int Length, int Line, int Column);

internal readonly record struct Token(TokenKind Kind, string Text, SourceSpan Span)
{
    public bool Is(string text) => Kind is TokenKind.Identifier or TokenKind.Symbol && Text == text;

    public string Describe() => Kind == TokenKind.EndOfLine ? "the end of the line" : $"'{Text}'";
}
