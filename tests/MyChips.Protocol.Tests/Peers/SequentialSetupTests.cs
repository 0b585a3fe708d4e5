using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Connect, deliver, disconnect, wait for the close, again: a plain sequential loop never loses a message.</summary>
public class SequentialSetupTests
{
    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.Raw)]
    public async Task Three_hundred_sequential_setups_each_deliver_their_message(PeerMode mode)
    {
        await using var a = await TestSite.StartAsync(mode);
        await using var b = await TestSite.StartAsync(mode);
        TestSite.Introduce(a, b);
        for (var i = 0; i < 300; i++)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EventHandler<ConnectionStateChange> onClose = (_, s) => { if (s.State == ConnectionState.Closed) closed.TrySetResult(); };
            a.Node.ConnectionStateChanged += onClose;
            try
            {
                await a.SendAsync(b, $$"""{"i":{{i}}}""").WaitAsync(TestSite.Deadline);
            }
            catch (DeliveryFailedException e)
            {
                Assert.Fail($"setup {i}: {e.Message}\n{string.Join("\n", a.States.TakeLast(8))}");
            }
            await b.ReceiveAsync();
            a.Node.Disconnect(b.Agent);
            await closed.Task.WaitAsync(TestSite.Deadline);
            a.Node.ConnectionStateChanged -= onClose;
        }
    }
}
