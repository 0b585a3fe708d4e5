namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>Files and their stored bytes one side of a session sent and received.</summary>
public sealed class CiyamTraffic
{
    private long _filesSent, _filesReceived, _bytesSent, _bytesReceived;

    public long FilesSent => Interlocked.Read(ref _filesSent);

    public long FilesReceived => Interlocked.Read(ref _filesReceived);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    internal void Sent(int bytes)
    {
        Interlocked.Increment(ref _filesSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void Received(int bytes)
    {
        Interlocked.Increment(ref _filesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }
}
