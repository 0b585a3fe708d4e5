using System.Net;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>The counting behind the connection limits: each lease counts once, whatever order or how often its steps are called.</summary>
public class InboundAdmissionTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");

    [Fact]
    public void Leases_count_per_address_and_in_total_and_release_exactly_once()
    {
        var admission = new InboundAdmission(new PeerLimits { MaxConnectionsPerAddress = 2, MaxPendingHandshakesPerAddress = 1 });
        var first = admission.TryAdmit(A, out _)!;
        Assert.Null(admission.TryAdmit(A, out var refusal));
        Assert.Equal(CloseReason.HandshakeLimit, refusal);

        first.Opened();
        first.Opened();
        Assert.Equal(0, admission.PendingHandshakes);
        var second = admission.TryAdmit(A, out _)!;
        Assert.Null(admission.TryAdmit(A, out refusal));
        Assert.Equal(CloseReason.ConnectionLimit, refusal);
        Assert.NotNull(admission.TryAdmit(B, out _));

        first.Release();
        first.Release();
        second.Release();
        second.Opened(); // after release: no effect
        Assert.Equal(1, admission.Connections);
        Assert.Equal(1, admission.PendingHandshakes);
        Assert.NotNull(admission.TryAdmit(A, out _));
    }

    [Fact]
    public void Concurrent_admissions_never_exceed_the_total()
    {
        var admission = new InboundAdmission(new PeerLimits { MaxConnections = 100, MaxConnectionsPerAddress = 1000, MaxPendingHandshakes = 1000, MaxPendingHandshakesPerAddress = 1000 });
        var admitted = 0;
        Parallel.For(0, 1000, i =>
        {
            if (admission.TryAdmit(IPAddress.Parse($"10.1.{i % 250}.{i / 250}"), out _) is { } lease)
            {
                Interlocked.Increment(ref admitted);
                lease.Opened();
            }
        });
        Assert.Equal(100, admitted);
        Assert.Equal(100, admission.Connections);
        Assert.Equal(0, admission.PendingHandshakes);
    }
}
