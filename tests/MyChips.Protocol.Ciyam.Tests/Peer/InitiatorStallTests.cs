using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Ciyam.Peer;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>An initiator whose listener goes silent in the middle of a transfer gives up when the request times out.</summary>
public sealed class InitiatorStallTests
{
    [Fact]
    public async Task A_listener_that_stops_sending_a_file_half_way_ends_the_initiators_turn_with_a_timeout()
    {
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        try
        {
            var clock = new FakeTimeProvider();
            var reads = Channel.CreateUnbounded<TimeSpan>();
            var options = new CiyamPeerOptions { Time = clock, Waiting = t => reads.Writer.TryWrite(t) };
            using var mine = new TempArea();
            var connecting = CiyamInitiator.ConnectAsync("127.0.0.1", ((IPEndPoint)server.LocalEndpoint).Port, mine.Area, options);
            using var silent = await server.AcceptTcpClientAsync();
            var wire = new CiyamWire(silent.GetStream(), TimeProvider.System);
            await wire.WriteAsync("0.1\r\n(okay)\r\n");
            await using var initiator = await connecting;

            var greeting = initiator.GreetAsync();
            Assert.StartsWith("chk ", await wire.ReadLineAsync(500, LineClient.Patience), StringComparison.Ordinal);
            await wire.WriteAsync($"(not found)\r\nput {new string('b', 64)}\r\n9000:4096.b64\r\n");
            Assert.Equal(CiyamReplies.OkayMore, await wire.ReadLineAsync(500, LineClient.Patience));
            // The greeting, two turn lines, the header, then the first chunk: the fifth timed wait is for bytes that never come.
            for (var i = 0; i < 5; i++) await reads.Reader.ReadAsync().AsTask().WaitAsync(LineClient.Patience);
            clock.Advance(options.Timeouts.Request);

            var stalled = await Assert.ThrowsAsync<CiyamProtocolException>(() => greeting.WaitAsync(LineClient.Patience));
            Assert.Equal("the peer stopped answering (timeout)", stalled.Message);
            Assert.Equal(0, mine.Area.Count);
            // The initiator's close waits for the listener's FIN on the (stopped) clock: the listener hangs up.
            silent.Close();
        }
        finally
        {
            server.Stop();
        }
    }

    [Fact]
    public async Task A_listener_that_refuses_with_an_error_greeting_is_reported()
    {
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        try
        {
            using var mine = new TempArea();
            var connecting = CiyamInitiator.ConnectAsync("127.0.0.1", ((IPEndPoint)server.LocalEndpoint).Port, mine.Area);
            using var full = await server.AcceptTcpClientAsync();
            await full.GetStream().WriteAsync(Encoding.ASCII.GetBytes("(error)max peers reached\r\n"));

            var refused = await Assert.ThrowsAsync<CiyamProtocolException>(() => connecting);
            Assert.Equal("the listener refused: (error)max peers reached", refused.Message);
        }
        finally
        {
            server.Stop();
        }
    }
}
