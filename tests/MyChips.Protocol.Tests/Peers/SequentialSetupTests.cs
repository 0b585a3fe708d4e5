using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>
/// Connect, deliver, disconnect, wait for the close, again: a plain sequential loop never loses a message, even
/// when the sender closes the connection the instant its message counts as delivered (Written: when A arrives).
/// </summary>
public class SequentialSetupTests
{
    [Theory]
    [InlineData(PeerMode.Strict, DeliveryMode.Auto)]
    [InlineData(PeerMode.Raw, DeliveryMode.Auto)]
    [InlineData(PeerMode.Strict, DeliveryMode.Written)]
    [InlineData(PeerMode.Raw, DeliveryMode.Written)]
    public async Task Three_hundred_sequential_setups_each_deliver_their_message(PeerMode mode, DeliveryMode delivery)
    {
        await using var a = await TestSite.StartAsync(mode, o => o with { Delivery = delivery });
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
            a.Node.Disconnect(b.Agent);
            await closed.Task.WaitAsync(TestSite.Deadline);
            a.Node.ConnectionStateChanged -= onClose;
            Assert.Equal(a.AsFirstMessage($$"""{"i":{{i}}}"""), (await b.ReceiveAsync()).JsonText);
        }
    }
}
