using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// MyCHIPs signatures: canonical JSON as json-stable-stringify writes it, ECDSA P-521/SHA-384 in raw form, and
/// agreement both ways with MyCHIPs's own JavaScript recipe (WebCrypto and the npm package, run by Node.js).
/// </summary>
public sealed class SignatureTests
{
    private static readonly JsonNode Sample = JsonNode.Parse("""
        {"uuid":"5d0f4c56-9c3b-4a5e-a7b2-0c8d1f2e3a4b","b":1,"a":[1.5,"x\u00e9\n\u0001\"",-0.25,1e21,1234567890123,1e-7,0.000001,123.456,2.5e-8],
         "c":{"z":null,"y":true,"Z":false,"é":"ü","10":"ten","9":"nine"},"memo":"tab\there"}
        """)!;

    [Fact]
    public void Canonical_json_orders_keys_at_every_level_and_escapes_as_javascript()
    {
        Assert.Equal(
            "{\"a\":[1.5,\"xé\\n\\u0001\\\"\",-0.25,1e+21,1234567890123,1e-7,0.000001,123.456,2.5e-8],\"b\":1,\"c\":{\"10\":\"ten\",\"9\":\"nine\",\"Z\":false,\"y\":true,\"z\":null,\"é\":\"ü\"},\"memo\":\"tab\\there\",\"uuid\":\"5d0f4c56-9c3b-4a5e-a7b2-0c8d1f2e3a4b\"}",
            CanonicalJson.Serialize(Sample));
    }

    [Fact]
    public void A_signature_verifies_only_for_its_content_and_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var signature = MyChipsSignature.Sign(key, Sample);
        Assert.DoesNotContain('=', signature);
        Assert.True(MyChipsSignature.Verify(MyChipsSignature.PublicJwk(key), Sample, signature));
        var changed = Sample.DeepClone();
        changed["b"] = 2;
        Assert.False(MyChipsSignature.Verify(MyChipsSignature.PublicJwk(key), changed, signature));
        Assert.False(MyChipsSignature.Verify(MyChipsSignature.PublicJwk(other), Sample, signature));
        Assert.False(MyChipsSignature.Verify(MyChipsSignature.PublicJwk(key), Sample, "not base64url!"));
        Assert.False(MyChipsSignature.Verify(MyChipsSignature.PublicJwk(key), Sample, signature[..20]));
        Assert.False(MyChipsSignature.Verify(new JsonObject { ["kty"] = "EC", ["crv"] = "P-521", ["x"] = "AA", ["y"] = "AA" }, Sample, signature));
        Assert.False(MyChipsSignature.Verify(null, Sample, signature));
    }

    [Fact]
    public async Task Signatures_made_by_MyCHIPs_javascript_verify_here_and_ours_verify_there()
    {
        var made = await RunNodeAsync(new JsonObject { ["content"] = Sample.DeepClone() });
        Assert.Equal(CanonicalJson.Serialize(Sample), made["text"]!.GetValue<string>());
        Assert.True(MyChipsSignature.Verify(made["publicJwk"]!.AsObject(), Sample, made["signature"]!.GetValue<string>()));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var checkedThere = await RunNodeAsync(new JsonObject
        {
            ["content"] = Sample.DeepClone(),
            ["publicJwk"] = MyChipsSignature.PublicJwk(key),
            ["signature"] = MyChipsSignature.Sign(key, Sample),
        });
        Assert.True(checkedThere["valid"]!.GetValue<bool>());
    }

    private static async Task<JsonObject> RunNodeAsync(JsonObject input)
    {
        var result = await NodePeer.RunAsync(["mychips-sign.js"], TimeSpan.FromMinutes(1), input.ToJsonString());
        Assert.True(result.ExitCode == 0, result.StandardError);
        return JsonNode.Parse(result.StandardOutput)!.AsObject();
    }
}
