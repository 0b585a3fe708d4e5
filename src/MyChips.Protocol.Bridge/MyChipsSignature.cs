using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// MyCHIPs signatures on tallies and chits: ECDSA on P-521 with SHA-384 over <see cref="CanonicalJson"/>, the
/// raw r‖s form in base64url without padding; public keys are JWKs (<c>kty</c> EC, <c>crv</c> P-521, <c>x</c>, <c>y</c>).
/// </summary>
public static class MyChipsSignature
{
    private const int SignatureLength = 132;   // r and s, 66 bytes each

    public static string Sign(ECDsa key, JsonNode? content)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.SignData(Encoding.UTF8.GetBytes(CanonicalJson.Serialize(content)), HashAlgorithmName.SHA384,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Base64Url.EncodeToString(signature);
    }

    /// <summary>True when <paramref name="signature"/> is the key's signature of the content; false for anything malformed.</summary>
    public static bool Verify(JsonObject? publicKey, JsonNode? content, string? signature)
    {
        if (publicKey is null || signature is null || !TryImport(publicKey, out var key)) return false;
        using (key)
        {
            byte[] raw;
            try
            {
                raw = Base64Url.DecodeFromChars(signature);
            }
            catch (FormatException)
            {
                return false;
            }
            return raw.Length == SignatureLength && key.VerifyData(Encoding.UTF8.GetBytes(CanonicalJson.Serialize(content)), raw,
                HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    /// <summary>The public half of a P-521 key as a JWK.</summary>
    public static JsonObject PublicJwk(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var point = key.ExportParameters(false).Q;
        return new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-521",
            ["x"] = Base64Url.EncodeToString(point.X),
            ["y"] = Base64Url.EncodeToString(point.Y),
        };
    }

    private static bool TryImport(JsonObject jwk, out ECDsa key)
    {
        key = null!;
        if (jwk["kty"]?.ToString() != "EC" || jwk["crv"]?.ToString() != "P-521") return false;
        try
        {
            var parameters = new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP521,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk["x"]?.ToString()), Y = Base64Url.DecodeFromChars(jwk["y"]?.ToString()) },
            };
            key = ECDsa.Create(parameters);
            return true;
        }
        catch (Exception e) when (e is FormatException or CryptographicException or InvalidOperationException)
        {
            return false;
        }
    }
}
