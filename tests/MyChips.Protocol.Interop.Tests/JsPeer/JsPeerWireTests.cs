using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>
/// The JavaScript peer's encrypted packets checked against the Noise specification text
/// (<see cref="ReferenceNoise"/>), in both roles: empty prologue, a fresh handshake per pattern, the
/// agent id in N, and the transport keys swapped the way npm noise-protocol assigns them
/// (mychips-wire.md item 3: the responder sends with the first Split key).
/// </summary>
public sealed class JsPeerWireTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_javascript_initiator_speaks_N_then_KK_and_sends_with_the_second_split_key()
    {
        using var me = AgentKey.Generate("127.0.0.1", 0);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions { ConnectHost = "127.0.0.1", ConnectPort = port, Peer = me.Agent.ToString() });
            await js.SendAsync(new JsonObject { ["target"] = "tally", ["action"] = "hello" });
            await using var connection = await FrameClient.AcceptAsync(listener, Timeout);

            var n = await Expect(connection, 'N');
            var announce = ReferenceNoise.Responder("N", me.NoisePrivateKey.ToArray(), null);
            Assert.Equal($"\"{js.Agent}\"", Encoding.UTF8.GetString(announce.ReadMessage(n)));

            var k = await Expect(connection, 'K');
            var jsStatic = NoiseStaticKey.FromAgent(AgentId.Parse(js.Agent));
            var kk = ReferenceNoise.Responder("KK", me.NoisePrivateKey.ToArray(), jsStatic);
            var first = JsonNode.Parse(kk.ReadMessage(k))!;
            Assert.Equal("hello", first["action"]!.GetValue<string>());
            Assert.Equal(js.Agent, first["from"]!["agent"]!.GetValue<string>());

            await connection.SendAsync('A', kk.WriteMessage([]));
            var (c1, c2) = kk.Split();
            await js.WaitForEventAsync("open");

            // The responder sends with c1 and receives with c2: the reverse of the specification's order.
            await connection.SendAsync('T', c1.Encrypt("""{"reply":1}"""u8.ToArray()));
            var received = await js.WaitForEventAsync("received");
            Assert.Equal(1, received.GetProperty("message").GetProperty("reply").GetInt32());

            await js.SendAsync(new JsonObject { ["n"] = 2 });
            var t = await Expect(connection, 'T');
            // The initiator's first T (nonce 0) does not open under c1, the key the specification gives it.
            Assert.Throws<AuthenticationTagMismatchException>(() => c1.Restarted().Decrypt(t));
            Assert.Equal("""{"n":2}""", Encoding.UTF8.GetString(c2.Decrypt(t)));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData("KK")]
    [InlineData("IK")]
    public async Task A_javascript_responder_accepts_a_specification_initiator_and_sends_with_the_first_split_key(string pattern)
    {
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0, Echo = true, Tokens = ["token-9"] });
        using var me = AgentKey.Generate("127.0.0.1", 65430);
        var jsStatic = NoiseStaticKey.FromAgent(AgentId.Parse(js.Agent));
        await using var connection = await FrameClient.ConnectAsync(js.Port!.Value);
        var handshake = ReferenceNoise.Initiator(pattern, me.NoisePrivateKey.ToArray(), jsStatic);
        var message = new JsonObject
        {
            ["target"] = "tally",
            ["action"] = "ticket",
            ["ticket"] = new JsonObject { ["token"] = "token-9" },
            ["from"] = new JsonObject { ["agent"] = me.Agent.ToString(), ["host"] = me.Host, ["port"] = me.Port },
        };
        var json = Encoding.UTF8.GetBytes(message.ToJsonString());

        if (pattern == "KK")
        {
            var announce = ReferenceNoise.Initiator("N", null, jsStatic);
            await connection.SendAsync('N', announce.WriteMessage(Encoding.UTF8.GetBytes($"\"{me.Agent}\"")));
            await connection.SendAsync('K', handshake.WriteMessage(json));
        }
        else
        {
            var ik = handshake.WriteMessage(json);
            Assert.Equal(json.Length + 96, ik.Length); // I frame = JSON + 97 with its type byte
            await connection.SendAsync('I', ik);
        }

        var a = await Expect(connection, 'A');
        Assert.Equal(48, a.Length);
        Assert.Empty(handshake.ReadMessage(a));
        var (c1, c2) = handshake.Split();
        var opened = await js.WaitForEventAsync("open");
        Assert.Equal(pattern, opened.GetProperty("handshake").GetString());
        Assert.Equal(me.Agent.ToString(), opened.GetProperty("agent").GetString());
        if (pattern == "IK") Assert.True(opened.GetProperty("keyMatch").GetBoolean());
        var received = await js.WaitForEventAsync("received");
        Assert.Equal(message.ToJsonString(), received.GetProperty("message").GetRawText());

        // The responder's echo is sealed with c1; the initiator (us) sends with c2.
        var echo = await Expect(connection, 'T');
        Assert.Equal($$"""{"echo":{{message.ToJsonString()}}}""", Encoding.UTF8.GetString(c1.Decrypt(echo)));
        await connection.SendAsync('T', c2.Encrypt("""{"n":2}"""u8.ToArray()));
        var second = await js.WaitForEventAsync("received", e => e.GetProperty("packet").GetString() == "T");
        Assert.Equal(2, second.GetProperty("message").GetProperty("n").GetInt32());
    }

    private static async Task<byte[]> Expect(FrameClient connection, char type)
    {
        var frame = await connection.ReceiveAsync(Timeout);
        Assert.True(frame is not null, $"the connection closed before a {type} frame");
        Assert.Equal(type, frame.Value.Type);
        return frame.Value.Body;
    }
}
