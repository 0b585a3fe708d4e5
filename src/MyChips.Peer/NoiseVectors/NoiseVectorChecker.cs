using System.Text.Json;
using MyChips.Protocol.Noise;

namespace MyChips.Peer.NoiseVectors;

/// <summary>
/// Checks Noise test vectors in the cacophony JSON format ({"vectors": [...]}, as cacophony and snow
/// publish them): both sides run the handshake and the transport messages, and every ciphertext, payload
/// and (when given) the handshake hash must match. Protocols this engine does not support are skipped.
/// </summary>
public static class NoiseVectorChecker
{
    /// <summary>Reads and checks a vector file. Throws <see cref="FileNotFoundException"/> or <see cref="InvalidDataException"/> when it cannot.</summary>
    public static VectorReport CheckFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No vector file at '{path}'.", path);
        using var stream = File.OpenRead(path);
        return Check(stream);
    }

    /// <summary>Checks every vector of a cacophony-format JSON document.</summary>
    public static VectorReport Check(Stream json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a JSON vector file: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("vectors", out var vectors)
                || vectors.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException("Not a cacophony-format vector file: expected an object with a \"vectors\" array.");
            }
            return new VectorReport(vectors.EnumerateArray().Select(CheckVector).ToList());
        }
    }

    /// <summary>Checks one vector; never throws.</summary>
    public static VectorResult CheckVector(JsonElement vector, int index)
    {
        var name = vector.ValueKind == JsonValueKind.Object && vector.TryGetProperty("protocol_name", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()!
            : "(no protocol_name)";
        NoiseProtocol protocol;
        try
        {
            protocol = NoiseProtocol.Parse(name);
        }
        catch (NotSupportedException e)
        {
            return new VectorResult(index, name, VectorOutcome.Skipped, e.Message);
        }
        catch (FormatException e)
        {
            return new VectorResult(index, name, VectorOutcome.Failed, e.Message);
        }

        try
        {
            return VectorRun.Run(protocol, vector) is { } mismatch
                ? new VectorResult(index, name, VectorOutcome.Failed, mismatch)
                : new VectorResult(index, name, VectorOutcome.Passed);
        }
        catch (NotSupportedException e)
        {
            // For instance AESGCM on a CPU without AES instructions.
            return new VectorResult(index, name, VectorOutcome.Skipped, e.Message);
        }
        catch (Exception e) when (e is NoiseException or ArgumentException or InvalidOperationException or FormatException or InvalidDataException or KeyNotFoundException)
        {
            return new VectorResult(index, name, VectorOutcome.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
