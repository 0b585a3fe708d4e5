using System.Text;
using System.Text.Json;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Commands;

/// <summary>
/// Writes results as one JSON object per line, whole lines only, from any thread, flushed at once so that
/// another program reading the output sees each line as soon as it is written.
/// </summary>
public sealed class JsonLines(TextWriter output)
{
    private readonly Lock _gate = new();

    public void Write(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }
        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>A received message: <c>{"from":AGENT,"message":{..}}</c>.</summary>
    public void Received(PeerMessage message) => Write(w =>
    {
        w.WriteString("from", message.From.ToString());
        WriteJson(w, "message", message.Json.Span);
    });

    /// <summary>Writes JSON as it is when it parses, else as a string, so a line is always valid JSON.</summary>
    public static void WriteJson(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> utf8Json)
    {
        writer.WritePropertyName(name);
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(Encoding.UTF8.GetString(utf8Json));
        }
    }
}
