namespace MyChips.Protocol.Keys;

/// <summary>
/// Derives a remote agent's Noise static public key (X25519) from its Ed25519 public key, the way
/// MyCHIPs does (libsodium's <c>crypto_sign_ed25519_pk_to_curve25519</c>).
/// </summary>
public static class NoiseStaticKey
{
    public const int Length = 32;

    /// <summary>
    /// Writes the X25519 public key for an Ed25519 public key. False when the key is not a valid point
    /// of the Ed25519 prime-order group (not on the curve, small order, or with a torsion component):
    /// such a key names no usable agent.
    /// </summary>
    public static unsafe bool TryFromEd25519PublicKey(ReadOnlySpan<byte> ed25519PublicKey, Span<byte> x25519PublicKey)
    {
        if (ed25519PublicKey.Length != AgentId.PublicKeyLength)
            throw new ArgumentException($"An Ed25519 public key is {AgentId.PublicKeyLength} bytes, not {ed25519PublicKey.Length}.", nameof(ed25519PublicKey));
        if (x25519PublicKey.Length < Length)
            throw new ArgumentException($"The destination must hold {Length} bytes.", nameof(x25519PublicKey));
        LibSodium.EnsureInitialized();
        fixed (byte* ed = ed25519PublicKey)
        fixed (byte* x = x25519PublicKey)
        {
            if (LibSodium.crypto_sign_ed25519_pk_to_curve25519(x, ed) == 0) return true;
        }
        x25519PublicKey[..Length].Clear();
        return false;
    }

    /// <summary>The X25519 public key for an Ed25519 public key.</summary>
    /// <exception cref="ArgumentException">The key is not a valid Ed25519 curve point.</exception>
    public static byte[] FromEd25519PublicKey(ReadOnlySpan<byte> ed25519PublicKey)
    {
        var x25519 = new byte[Length];
        if (!TryFromEd25519PublicKey(ed25519PublicKey, x25519))
            throw new ArgumentException(
                "The Ed25519 public key is not a valid curve point (off the curve, of small order, or outside the prime-order subgroup), so it has no Noise static key.",
                nameof(ed25519PublicKey));
        return x25519;
    }

    /// <summary>The Noise static key of the agent the id names.</summary>
    /// <exception cref="ArgumentException">The id's key is not a valid Ed25519 curve point.</exception>
    public static byte[] FromAgent(AgentId agent)
    {
        if (agent.IsEmpty) throw new ArgumentException("The empty agent id has no public key.", nameof(agent));
        Span<byte> ed = stackalloc byte[AgentId.PublicKeyLength];
        agent.CopyPublicKeyTo(ed);
        var x25519 = new byte[Length];
        if (!TryFromEd25519PublicKey(ed, x25519))
            throw new ArgumentException(
                $"Agent '{agent}' is not a valid Ed25519 curve point (off the curve, of small order, or outside the prime-order subgroup), so it has no Noise static key.",
                nameof(agent));
        return x25519;
    }

    /// <summary>True and the key when the id names a valid Ed25519 point; false otherwise.</summary>
    public static bool TryFromAgent(AgentId agent, Span<byte> x25519PublicKey)
    {
        if (agent.IsEmpty) return false;
        Span<byte> ed = stackalloc byte[AgentId.PublicKeyLength];
        agent.CopyPublicKeyTo(ed);
        return TryFromEd25519PublicKey(ed, x25519PublicKey);
    }

    /// <summary>The Noise static key of the key a site trusts for an agent (the record's key, not its id).</summary>
    /// <exception cref="ArgumentException">The trusted key is not a valid Ed25519 curve point.</exception>
    public static byte[] FromRecord(AgentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var x25519 = new byte[Length];
        if (!TryFromEd25519PublicKey(record.Ed25519PublicKey.Span, x25519))
            throw new ArgumentException(
                $"The key trusted for agent '{record.Agent}' is not a valid Ed25519 curve point, so it has no Noise static key.",
                nameof(record));
        return x25519;
    }
}
