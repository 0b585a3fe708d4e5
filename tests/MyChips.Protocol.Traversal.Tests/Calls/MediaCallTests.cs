using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Traversal.Calls;

namespace MyChips.Protocol.Traversal.Tests.Calls;

/// <summary>Calls over real UDP sockets on loopback: a generated tone crosses intact, and a tap in the path drops, reorders, replays and forges.</summary>
public sealed class MediaCallTests : IAsyncLifetime
{
    private readonly byte[][] _tone = Tone.Frames(100);
    private MediaCall _alice = null!;
    private MediaCall _bob = null!;
    private Socket? _tap;

    public Task InitializeAsync()
    {
        var (aliceKeys, bobKeys) = AgreedKeys();
        var aliceSocket = Bound();
        var bobSocket = Bound();
        _alice = MediaCall.OverUdp(aliceSocket, (IPEndPoint)bobSocket.LocalEndPoint!, aliceKeys);
        _bob = MediaCall.OverUdp(bobSocket, (IPEndPoint)aliceSocket.LocalEndPoint!, bobKeys);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        _tap?.Dispose();
    }

    [Fact]
    public async Task A_tone_arrives_intact_and_the_other_way_too()
    {
        foreach (var frame in _tone) await _alice.SendAsync(frame);
        await _bob.SendAsync("hello back"u8.ToArray());

        var heard = await ReadAsync(_bob, _tone.Length);
        Assert.Equal(_tone.SelectMany(f => f), heard.OrderBy(f => f.Counter).SelectMany(f => f.Payload));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), heard.Select(f => f.Counter).Order());
        Assert.Equal("hello back"u8.ToArray(), (await ReadAsync(_alice, 1))[0].Payload);
        Assert.Equal(100, _alice.Statistics.Sent);
    }

    [Fact]
    public async Task Drops_reorders_replays_and_forgeries_on_the_path_are_handled()
    {
        _tap = Bound();
        var (aliceKeys, bobKeys) = AgreedKeys();
        await using var alice = MediaCall.OverUdp(Bound(), (IPEndPoint)_tap.LocalEndPoint!, aliceKeys);
        foreach (var frame in _tone) await alice.SendAsync(frame);
        var captured = new List<byte[]>();
        var buffer = new byte[2048];
        while (captured.Count < _tone.Length)
        {
            var n = await _tap.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Deadlines.Short);
            captured.Add(buffer[..n]);
        }
        await using var bob = MediaCall.OverUdp(Bound(), alice.LocalEndPoint!, bobKeys);

        var dropped = new HashSet<int> { 10, 11, 12, 13, 14 };
        var order = Enumerable.Range(0, 99).Where(i => !dropped.Contains(i)).Chunk(2).SelectMany(pair => pair.Reverse()).ToList();
        foreach (var i in order) await Forward(captured[i], bob);
        await Forward(captured[0], bob);  // replays
        await Forward(captured[50], bob);
        var forged = (byte[])captured[99].Clone(); // a counter not yet seen, so that only its tag can give it away
        forged[^1] ^= 0xFF;
        await Forward(forged, bob);
        await Forward("not media"u8.ToArray(), bob);
        await Forward(captured[99], bob); // last, so that everything before it was judged when it arrives

        var heard = await ReadAsync(bob, _tone.Length - dropped.Count);
        Assert.Equal(
            _tone.Where((_, i) => !dropped.Contains(i)).SelectMany(f => f),
            heard.OrderBy(f => f.Counter).SelectMany(f => f.Payload));
        Assert.Equal((95, 2, 1, 1), (bob.Statistics.Accepted, bob.Statistics.Replayed, bob.Statistics.Forged, bob.Statistics.Malformed));
        Assert.Equal(99UL, heard[^1].Counter);
        Assert.NotEqual(heard.Select(f => f.Counter), heard.Select(f => f.Counter).Order()); // delivered as they came
    }

    [Fact]
    public async Task Without_a_UDP_path_the_datagrams_travel_on_the_channel_and_are_judged_the_same()
    {
        var (aliceKeys, bobKeys) = AgreedKeys();
        MediaCall? bob = null;
        var carried = new List<byte[]>();
        await using var alice = MediaCall.OverChannel((datagram, _) =>
        {
            carried.Add(datagram.ToArray());
            bob!.Deliver(datagram.Span);
            return ValueTask.CompletedTask;
        }, aliceKeys);
        bob = MediaCall.OverChannel((_, _) => ValueTask.CompletedTask, bobKeys);
        await using var _ = bob;

        foreach (var frame in _tone) await alice.SendAsync(frame);

        var heard = await ReadAsync(bob, _tone.Length);
        Assert.Equal(_tone.SelectMany(f => f), heard.SelectMany(f => f.Payload));
        Assert.Equal(MediaVerdict.Replayed, bob.Deliver(carried[3]));
        Assert.False(alice.IsUdp);
        Assert.Null(alice.Remote);
    }

    private static (CallKeys Alice, CallKeys Bob) AgreedKeys()
    {
        using var offer = CallKeyExchange.Start();
        using var answer = CallKeyExchange.Start();
        return (offer.Complete(answer.PublicKey.Span, "tone"u8, true), answer.Complete(offer.PublicKey.Span, "tone"u8, false));
    }

    private async Task Forward(byte[] datagram, MediaCall to) =>
        await _tap!.SendToAsync(datagram, SocketFlags.None, to.LocalEndPoint!);

    private static async Task<List<MediaFrame>> ReadAsync(MediaCall call, int count)
    {
        var frames = new List<MediaFrame>();
        while (frames.Count < count) frames.Add(await call.Received.ReadAsync().AsTask().WaitAsync(Deadlines.Short));
        return frames;
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
