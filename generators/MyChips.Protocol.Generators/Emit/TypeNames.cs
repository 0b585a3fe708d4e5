using System.Linq;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>How spec types and bodies appear in C#.</summary>
internal static class TypeNames
{
    public const string BufferWriter = "global::System.Buffers.IBufferWriter<byte>";
    public const string Sequence = "global::System.Buffers.ReadOnlySequence<byte>";
    public const string JsonElement = "global::System.Text.Json.JsonElement";

    public static string Field(string specType)
    {
        var optional = specType.EndsWith("?", System.StringComparison.Ordinal);
        var core = optional ? specType.Substring(0, specType.Length - 1) : specType;
        var name = core switch
        {
            "string" => "string",
            "bool" => "bool",
            "i32" => "int",
            "i64" => "long",
            "u32" => "uint",
            "u64" => "ulong",
            "f64" => "double",
            "bytes" => "byte[]",
            _ => "object",
        };
        return optional ? name + "?" : name;
    }

    public static string Parameter(ProtocolModel protocol, TypeRef type) => type.Kind switch
    {
        TypeRefKind.Body => Body(protocol.Bodies.First(b => b.Name == type.Name)),
        _ => Field(type.Optional ? type.Name + "?" : type.Name),
    };

    public static string Body(BodyModel body) => body.Encoding switch
    {
        BodyEncoding.Raw => "global::System.ReadOnlyMemory<byte>",
        BodyEncoding.Text or BodyEncoding.JsonString => "string",
        BodyEncoding.JsonValue or BodyEncoding.JsonObject => JsonElement,
        BodyEncoding.JsonRecord or BodyEncoding.MessagePackRecord => body.Name,
        _ => "object",
    };
}
