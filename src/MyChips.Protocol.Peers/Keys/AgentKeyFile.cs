using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MyChips.Protocol.Keys;

/// <summary>
/// MyCHIPs agent key files (<c>*.agk</c>, written by MyCHIPs's <c>bin/agentkey</c>): the agent's Ed25519
/// private key as a JWK, plus where the agent listens:
/// <c>{"host":"peer.example","port":65430,"key":{"kty":"OKP","crv":"Ed25519","d":"..","x":".."}}</c>.
/// MyCHIPs writes the port as a string by default; both a number and a numeric string are read.
/// </summary>
public static class AgentKeyFile
{
    /// <summary>The file name extension MyCHIPs uses for agent key files.</summary>
    public const string Extension = ".agk";

    /// <summary>Reads an agent key file.</summary>
    /// <exception cref="FormatException">The file is not a valid agent key file; the message names the file and the problem.</exception>
    public static AgentKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var json = File.ReadAllText(path, Encoding.UTF8);
        try
        {
            return Parse(json);
        }
        catch (FormatException e)
        {
            throw new FormatException($"'{path}': {e.Message}", e);
        }
    }

    /// <summary>Writes the key file, readable by its owner only on Unix, replacing any file at the path.</summary>
    public static void Save(AgentKey key, string path)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
                WriteJson(key, stream);
            // Written aside and then moved, so a crash never leaves a half-written key file.
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The key file's JSON text.</summary>
    public static string ToJson(AgentKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var buffer = new MemoryStream();
        WriteJson(key, buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads the JSON text of an agent key file.</summary>
    /// <exception cref="FormatException">Not a valid agent key file; the message says what is wrong.</exception>
    public static AgentKey Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not an agent key file: the text is not JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("Not an agent key file: expected a JSON object with host, port and key.");
            var host = RequiredString(root, "host", "host");
            var port = ReadPort(root);
            if (!root.TryGetProperty("key", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
                throw new FormatException("Not an agent key file: 'key' (an Ed25519 JWK object) is missing.");

            var kty = RequiredString(jwk, "kty", "key.kty");
            if (kty != "OKP")
                throw new FormatException($"The agent key has key.kty '{kty}', expected 'OKP' (an Ed25519 JWK).");
            var crv = RequiredString(jwk, "crv", "key.crv");
            if (crv != "Ed25519")
                throw new FormatException(crv == "X25519"
                    ? "The agent key has key.crv 'X25519': agent keys are Ed25519 (X25519 key files from older MyCHIPs versions must be regenerated)."
                    : $"The agent key has key.crv '{crv}', expected 'Ed25519'.");

            Span<byte> seed = stackalloc byte[AgentKey.SeedLength];
            Span<byte> x = stackalloc byte[AgentId.PublicKeyLength];
            try
            {
                DecodeBase64Url(RequiredString(jwk, "d", "key.d"), "key.d", seed);
                DecodeBase64Url(RequiredString(jwk, "x", "key.x"), "key.x", x);
                var key = AgentKey.FromSeed(seed, host, port);
                if (!CryptographicOperations.FixedTimeEquals(key.Ed25519PublicKey, x))
                {
                    key.Dispose();
                    throw new FormatException(
                        $"The agent key's key.x does not match key.d: the private key's public key is '{key.Agent}', the file says '{Base64Url.EncodeToString(x)}'.");
                }
                return key;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }
    }

    private static void WriteJson(AgentKey key, Stream destination)
    {
        // Encoded into a pooled buffer that is zeroed afterwards, so the private key leaves no string behind.
        var d = ArrayPool<byte>.Shared.Rent(Base64Url.GetEncodedLength(AgentKey.SeedLength));
        try
        {
            var dLength = Base64Url.EncodeToUtf8(key.Ed25519Seed, d);
            using var writer = new Utf8JsonWriter(destination);
            writer.WriteStartObject();
            writer.WriteString("host", key.Host);
            writer.WriteNumber("port", key.Port);
            writer.WriteStartObject("key");
            writer.WriteString("kty", "OKP");
            writer.WriteString("crv", "Ed25519");
            writer.WriteString("d", d.AsSpan(0, dLength));
            writer.WriteString("x", key.Agent.ToString());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
            ArrayPool<byte>.Shared.Return(d);
        }
    }

    private static string RequiredString(JsonElement parent, string name, string where)
    {
        if (!parent.TryGetProperty(name, out var value))
            throw new FormatException($"The agent key file has no '{where}'.");
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            throw new FormatException($"The agent key file's '{where}' must be a non-empty string.");
        return value.GetString()!;
    }

    private static int ReadPort(JsonElement root)
    {
        if (!root.TryGetProperty("port", out var value))
            throw new FormatException("The agent key file has no 'port'.");
        var port = -1;
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt32(out port),
            JsonValueKind.String => int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out port),
            _ => false,
        };
        if (!ok || port is < 0 or > 65535)
            throw new FormatException($"The agent key file's 'port' must be a number from 0 to 65535, not {value.GetRawText()}.");
        return port;
    }

    private static void DecodeBase64Url(string text, string where, Span<byte> destination)
    {
        var status = Base64Url.DecodeFromChars(text, destination, out var read, out var written);
        if (status != OperationStatus.Done || read != text.Length || written != destination.Length)
        {
            var decodable = Base64Url.IsValid(text, out var length);
            throw new FormatException(decodable
                ? $"The agent key's {where} decodes to {length} bytes; an Ed25519 key is {destination.Length}."
                : $"The agent key's {where} is not valid base64url.");
        }
    }
}
