using System;
using System.Collections.Generic;
using System.Globalization;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>
/// Reads a spec line by line. Every statement fits on one line except the field list of a record
/// body, which runs from '{' to a line holding '}'. A machine runs from 'machine' to 'end'.
/// Errors do not stop the parse: the faulty line is reported and skipped.
/// </summary>
internal sealed partial class SpecParser
{
    public static readonly string[] FieldTypes = { "string", "bool", "i32", "i64", "u32", "u64", "f64", "bytes" };

    private readonly string _text;
    private readonly List<(SourceSpan Span, string Message)> _errors = new();
    private readonly SpecSyntax _spec = new();
    private MachineSyntax? _machine;
    private BodySyntax? _openBody;
    private List<Token> _tokens = new();
    private int _position;

    private SpecParser(string text) => _text = text;

    public static (SpecSyntax Spec, List<(SourceSpan Span, string Message)> Errors) Parse(string text)
    {
        var parser = new SpecParser(text);
        parser.ParseAll();
        return (parser._spec, parser._errors);
    }

    private void ParseAll()
    {
        var line = 0;
        var lineStart = 0;
        while (lineStart <= _text.Length)
        {
            var lineEnd = _text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
                lineEnd = _text.Length;
            var errorCount = _errors.Count;
            _tokens = SpecLexer.Tokenize(_text, lineStart, lineEnd, line, _errors);
            _position = 0;
            if (_errors.Count == errorCount && _tokens.Count > 1)
            {
                try
                {
                    ParseLine();
                }
                catch (SyntaxException error)
                {
                    _errors.Add((error.Span, error.Message));
                }
            }
            line++;
            lineStart = lineEnd + 1;
        }

        _spec.End = new SourceSpan(_text.Length, 0, Math.Max(0, line - 1), 0);
        if (_openBody is not null)
            _errors.Add((_openBody.Name.Span, $"The field list of body '{_openBody.Name.Name}' has no closing '}}'."));
        if (_machine is not null)
            _errors.Add((_machine.Name.Span, $"Machine '{_machine.Name.Name}' has no 'end'."));
    }

    private void ParseLine()
    {
        if (_openBody is not null)
        {
            ParseField(_openBody);
            return;
        }
        if (_machine is not null)
        {
            ParseMachineLine(_machine);
            return;
        }

        var keyword = Next();
        switch (keyword.Text)
        {
            case "protocol" when keyword.Kind == TokenKind.Identifier:
                _spec.Protocol = ExpectName("a protocol name");
                break;
            case "namespace" when keyword.Kind == TokenKind.Identifier:
                _spec.Namespace = ExpectName("a namespace");
                break;
            case "title" when keyword.Kind == TokenKind.Identifier:
                _spec.Title = Expect(TokenKind.String, "a quoted title").Text;
                break;
            case "framing" when keyword.Kind == TokenKind.Identifier:
                ParseFraming(keyword);
                break;
            case "roles" when keyword.Kind == TokenKind.Identifier:
                do
                {
                    _spec.Roles.Add(ExpectName("a role name"));
                }
                while (Peek().Kind == TokenKind.Identifier);
                break;
            case "body" when keyword.Kind == TokenKind.Identifier:
                ParseBody();
                return;
            case "packet" when keyword.Kind == TokenKind.Identifier:
                ParsePacket();
                break;
            case "property" when keyword.Kind == TokenKind.Identifier:
                ParseProperty();
                break;
            case "machine" when keyword.Kind == TokenKind.Identifier:
                var machine = new MachineSyntax { Name = ExpectName("a machine name") };
                ExpectKeyword("role");
                machine.Role = ExpectName("a role name");
                _spec.Machines.Add(machine);
                _machine = machine;
                break;
            default:
                throw Error(keyword, $"Expected a statement (protocol, namespace, title, framing, roles, body, packet, machine, property) but found {keyword.Describe()}.");
        }
        ExpectEndOfLine();
    }

    private void ParseFraming(Token keyword)
    {
        _spec.FramingSpan = keyword.Span;
        var kind = Next();
        if (kind.Is("length"))
        {
            ExpectKeyword("u32be");
            ExpectKeyword("type");
            ExpectKeyword("byte");
            _spec.Framing = FramingKind.LengthPrefixed;
        }
        else if (kind.Is("line"))
        {
            _spec.Framing = FramingKind.Line;
        }
        else
        {
            throw Error(kind, $"Expected 'length u32be type byte' or 'line' after 'framing' but found {kind.Describe()}.");
        }
        ExpectKeyword("max");
        var max = Expect(TokenKind.Number, "the maximum frame length in bytes");
        if (!int.TryParse(max.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 2)
            throw Error(max, $"The maximum frame length must be a whole number from 2 to {int.MaxValue}.");
        _spec.MaxFrameLength = value;
    }

    private void ParseBody()
    {
        var body = new BodySyntax { Name = ExpectName("a body name") };
        var encoding = Next();
        var opensFields = false;
        switch (encoding.Text)
        {
            case "empty": body.Encoding = BodyEncoding.Empty; break;
            case "raw": body.Encoding = BodyEncoding.Raw; break;
            case "text": body.Encoding = BodyEncoding.Text; break;
            case "msgpack":
                body.Encoding = BodyEncoding.MessagePackRecord;
                opensFields = true;
                break;
            case "json":
                var shape = Next();
                if (shape.Is("string"))
                    body.Encoding = BodyEncoding.JsonString;
                else if (shape.Is("value"))
                    body.Encoding = BodyEncoding.JsonValue;
                else if (shape.Is("object"))
                    body.Encoding = BodyEncoding.JsonObject;
                else if (shape.Is("{"))
                {
                    body.Encoding = BodyEncoding.JsonRecord;
                    _position--;
                    opensFields = true;
                }
                else
                    throw Error(shape, $"Expected 'string', 'value', 'object' or '{{' after 'json' but found {shape.Describe()}.");
                break;
            default:
                throw Error(encoding, $"Expected a body encoding (empty, raw, text, json string, json value, json object, json {{...}}, msgpack {{...}}) but found {encoding.Describe()}.");
        }

        if (opensFields)
        {
            ExpectSymbol("{");
            _openBody = body;
        }
        if (Peek().Kind == TokenKind.String)
            body.Description = Next().Text;
        ExpectEndOfLine();
        _spec.Bodies.Add(body);
    }

    private void ParseField(BodySyntax body)
    {
        if (Peek().Is("}"))
        {
            Next();
            if (Peek().Kind == TokenKind.String)
                body.Description = Next().Text;
            ExpectEndOfLine();
            _openBody = null;
            return;
        }
        var name = ExpectName("a field name");
        ExpectSymbol(":");
        var (type, optional) = ExpectType();
        ExpectEndOfLine();
        body.Fields.Add(new FieldModel(name.Name, type, optional));
        body.FieldSpans.Add(name.Span);
    }

    private void ParsePacket()
    {
        var packet = new PacketSyntax { Name = ExpectName("a packet name") };
        var type = Next();
        if (type.Kind is not (TokenKind.Char or TokenKind.String))
            throw Error(type, $"Expected the packet's type, a quoted character such as 'N' or a quoted word such as \"chk\", but found {type.Describe()}.");
        packet.TypeToken = type;
        ExpectKeyword("from");
        do
        {
            packet.Senders.Add(ExpectName("a role name or 'either'"));
        }
        while (TryTake("|"));

        var next = Peek();
        if (next.Is("noise"))
        {
            Next();
            packet.Stage = NoiseStage.Handshake;
            do
            {
                packet.NoisePatterns.Add(ExpectName("a Noise pattern name such as KK").Name);
            }
            while (TryTake("|"));
            ExpectKeyword("message");
            var index = Expect(TokenKind.Number, "the message index in the handshake");
            if (!int.TryParse(index.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > 16)
                throw Error(index, "The handshake message index must be a whole number from 1 to 16.");
            packet.MessageIndex = value;
        }
        else if (next.Is("transport"))
        {
            Next();
            packet.Stage = NoiseStage.Transport;
        }

        ExpectKeyword("body");
        packet.Body = ExpectName("a body name or 'empty'");
        if (Peek().Kind == TokenKind.String)
            packet.Description = Next().Text;
        _spec.Packets.Add(packet);
    }

    private void ParseMachineLine(MachineSyntax machine)
    {
        var first = Peek();
        switch (first.Text)
        {
            case "end" when first.Kind == TokenKind.Identifier:
                Next();
                _machine = null;
                break;
            case "state" when first.Kind == TokenKind.Identifier:
                Next();
                var state = new StateSyntax { Name = ExpectName("a state name") };
                while (Peek().Is("initial") || Peek().Is("final"))
                {
                    if (Next().Text == "initial")
                        state.Initial = true;
                    else
                        state.Final = true;
                }
                if (Peek().Kind == TokenKind.String)
                    state.Description = Next().Text;
                machine.States.Add(state);
                break;
            case "timeout" when first.Kind == TokenKind.Identifier && _tokens.Count > 2 && _tokens[2].Kind == TokenKind.Number:
                Next();
                machine.Timeouts.Add(new TimeoutSyntax { Name = ExpectName("a timeout name"), Milliseconds = ExpectDuration() });
                break;
            case "event" when first.Kind == TokenKind.Identifier:
                Next();
                var evt = new EventSyntax { Name = ExpectName("an event name") };
                if (TryTake("("))
                {
                    do
                    {
                        var parameter = ExpectName("a parameter name");
                        ExpectSymbol(":");
                        var (type, optional) = ExpectType();
                        evt.Parameters.Add(new ParameterModel(parameter.Name, TypeRef.Scalar(type, optional)));
                    }
                    while (TryTake(","));
                    ExpectSymbol(")");
                }
                if (Peek().Kind == TokenKind.String)
                    evt.Description = Next().Text;
                machine.Events.Add(evt);
                break;
            case "guard" when first.Kind == TokenKind.Identifier:
                Next();
                var guard = ExpectName("a guard name");
                machine.Guards.Add((guard, Expect(TokenKind.String, "a quoted guard description").Text));
                break;
            default:
                ParseTransition(machine);
                break;
        }
        ExpectEndOfLine();
    }

    private void ParseTransition(MachineSyntax machine)
    {
        var transition = new TransitionSyntax { FromSpan = Peek().Span };
        if (Peek().Is("any"))
        {
            Next();
            transition.FromAny = true;
        }
        else
        {
            do
            {
                transition.From.Add(ExpectName("a state name, 'any', or a statement (state, event, timeout, guard, end)"));
            }
            while (TryTake(","));
        }

        ExpectKeyword("on");
        var trigger = new TriggerRef();
        if (Peek().Is("receive"))
        {
            Next();
            trigger.Kind = TriggerKind.Receive;
        }
        else if (Peek().Is("timeout"))
        {
            Next();
            trigger.Kind = TriggerKind.Timeout;
        }
        else
        {
            trigger.Kind = TriggerKind.Event;
        }
        trigger.Name = ExpectName("a trigger: 'receive <Packet>', 'timeout <name>' or an event name");
        transition.Trigger = trigger;

        ExpectSymbol("->");
        transition.To = ExpectName("a target state or 'stay'");
        if (transition.To.Name == "stay")
            transition.To = null;
        if (Peek().Is("when"))
        {
            Next();
            transition.Guard = ExpectName("a guard name");
        }
        if (Peek().Is("do"))
        {
            Next();
            do
            {
                transition.Actions.Add(ExpectName("an action name"));
            }
            while (TryTake(","));
        }
        if (Peek().Is("send"))
        {
            Next();
            do
            {
                transition.Sends.Add(ExpectName("a packet name"));
            }
            while (TryTake(","));
        }
        machine.Transitions.Add(transition);
    }
}
