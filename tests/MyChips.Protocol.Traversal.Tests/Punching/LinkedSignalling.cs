using System.Threading.Channels;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.Tests.Punching;

/// <summary>Two ends of an in-process signalling path, for punch tests that need no rendezvous server.</summary>
internal sealed class LinkedSignalling(ChannelWriter<PunchMessage> outgoing, ChannelReader<PunchMessage> incoming) : ISignallingChannel
{
    public List<PunchMessage> Sent { get; } = [];

    public static (LinkedSignalling, LinkedSignalling) Pair()
    {
        var ab = Channel.CreateUnbounded<PunchMessage>();
        var ba = Channel.CreateUnbounded<PunchMessage>();
        return (new LinkedSignalling(ab.Writer, ba.Reader), new LinkedSignalling(ba.Writer, ab.Reader));
    }

    public ValueTask SendAsync(PunchMessage message, CancellationToken cancellationToken)
    {
        lock (Sent) Sent.Add(message);
        return outgoing.WriteAsync(message, cancellationToken);
    }

    public ValueTask<PunchMessage> ReceiveAsync(CancellationToken cancellationToken) => incoming.ReadAsync(cancellationToken);
}
