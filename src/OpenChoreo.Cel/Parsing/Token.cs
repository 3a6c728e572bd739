namespace OpenChoreo.Cel.Parsing;

internal enum TokenKind
{
    Eof,
    Ident,
    EscapedIdent,
    /// <summary>A reserved word: allowed as a field or receiver-function name only.</summary>
    ReservedIdent,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    True,
    False,
    Null,
    In,
    LParen, RParen, LBracket, RBracket, LBrace, RBrace,
    Dot, Comma, Colon, Question,
    Plus, Minus, Star, Slash, Percent, Bang,
    Eq, Ne, Lt, Le, Gt, Ge, And, Or,
}

/// <summary>A lexical token; <see cref="Value"/> holds the decoded literal, <see cref="Text"/> the identifier.</summary>
internal readonly record struct Token(TokenKind Kind, int Offset, string Text, CelValue Value);
