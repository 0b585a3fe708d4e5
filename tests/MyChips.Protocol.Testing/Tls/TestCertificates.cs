using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MyChips.Protocol.Testing.Tls;

/// <summary>Certificates for TLS tests, made on the spot.</summary>
public static class TestCertificates
{
    /// <summary>A self-signed P-256 certificate with its private key, valid from five minutes ago for an hour.</summary>
    public static X509Certificate2 SelfSigned(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var made = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Through PKCS#12, so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
    }
}
