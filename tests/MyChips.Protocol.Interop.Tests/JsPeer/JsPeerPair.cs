using System.Text;
using System.Text.Json;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>Two peer.js processes: a responder listening on loopback and an initiator aimed at it.</summary>
internal sealed class JsPeerPair : IAsyncDisposable
{
    private JsPeerPair(JsPeerProcess responder, JsPeerProcess initiator)
    {
        Responder = responder;
        Initiator = initiator;
    }

    public JsPeerProcess Responder { get; }
    public JsPeerProcess Initiator { get; }

    public static async Task<JsPeerPair> StartAsync(
        string mode, Func<JsPeerOptions, JsPeerOptions>? responder = null, Func<JsPeerOptions, JsPeerOptions>? initiator = null)
    {
        var r = await JsPeerProcess.StartAsync((responder ?? (o => o))(new JsPeerOptions { Listen = 0, Mode = mode }));
        try
        {
            var i = await JsPeerProcess.StartAsync((initiator ?? (o => o))(new JsPeerOptions
            {
                Mode = mode,
                ConnectHost = "127.0.0.1",
                ConnectPort = r.Port,
                Peer = r.Agent,
            }));
            return new JsPeerPair(r, i);
        }
        catch
        {
            await r.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Initiator.DisposeAsync();
        await Responder.DisposeAsync();
    }

    /// <summary>The byte length of a message as the peer serialised it (the raw JSON text of the event field).</summary>
    public static int JsonLength(JsonElement message) => Encoding.UTF8.GetByteCount(message.GetRawText());

    /// <summary>The length of the first frame of a type seen in one direction.</summary>
    public static int FrameLength(JsPeerProcess peer, string direction, string type, int skip = 0) =>
        peer.EventsNamed("frame")
            .Where(e => e.GetProperty("dir").GetString() == direction && e.GetProperty("type").GetString() == type)
            .Skip(skip)
            .Select(e => e.GetProperty("length").GetInt32())
            .First();
}
