using System.Text.Json;
using CsCheck;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.Fuzzing;

/// <summary>
/// The generated machines fed arbitrary trigger sequences: a trigger fires exactly when the spec defines it
/// for the current state, nothing throws, and Closed is final.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public class StateMachineFuzzTests
{
    private static readonly JsonElement Message = JsonDocument.Parse("""{"m":1}""").RootElement.Clone();

    [Fact]
    public void The_responder_machine_fires_exactly_the_defined_triggers() =>
        FuzzBudget.Run(Gen.Enum<ResponderTrigger>().Array[0, 12], triggers =>
        {
            var machine = new ResponderConnection(new RecordingActions());
            foreach (var trigger in triggers)
            {
                var wasFinal = machine.IsFinal;
                var defined = machine.CanFire(trigger);
                Assert.Equal(defined, Fire(machine, trigger));
                Assert.True(Enum.IsDefined(machine.State));
                if (wasFinal) Assert.True(machine.IsFinal);
            }
        }, 20_000);

    [Fact]
    public void The_initiator_machine_fires_exactly_the_defined_triggers() =>
        FuzzBudget.Run(Gen.Enum<InitiatorTrigger>().Array[0, 12], triggers =>
        {
            var machine = new InitiatorConnection(new RecordingActions());
            foreach (var trigger in triggers)
            {
                var wasFinal = machine.IsFinal;
                var defined = machine.CanFire(trigger);
                Assert.Equal(defined, Fire(machine, trigger));
                Assert.True(Enum.IsDefined(machine.State));
                if (wasFinal) Assert.True(machine.IsFinal);
            }
        }, 20_000);

    // The generated actions are synchronous with RecordingActions, so the tasks have completed.
    private static bool Fire(ResponderConnection machine, ResponderTrigger trigger) => (trigger switch
    {
        ResponderTrigger.ReceivedTicket => machine.ReceivedTicketAsync(Message),
        ResponderTrigger.ReceivedDeclare => machine.ReceivedDeclareAsync("agent"),
        ResponderTrigger.ReceivedOffer => machine.ReceivedOfferAsync(new byte[] { 1 }),
        ResponderTrigger.ReceivedKnock => machine.ReceivedKnockAsync(Message),
        ResponderTrigger.ReceivedTransport => machine.ReceivedTransportAsync(Message),
        ResponderTrigger.ReceivedReceipt => machine.ReceivedReceiptAsync(new byte[8]),
        ResponderTrigger.ReceivedBatch => machine.ReceivedBatchAsync(new byte[16]),
        ResponderTrigger.KeysConfirmed => machine.KeysConfirmedAsync(),
        ResponderTrigger.TicketAccepted => machine.TicketAcceptedAsync(),
        ResponderTrigger.TicketRejected => machine.TicketRejectedAsync("refused"),
        ResponderTrigger.HandshakeTimedOut => machine.HandshakeTimedOutAsync(),
        ResponderTrigger.IdleTimedOut => machine.IdleTimedOutAsync(),
        ResponderTrigger.Failed => machine.FailedAsync("failed"),
        ResponderTrigger.Close => machine.CloseAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "A trigger this test does not know: add it."),
    }).AsTask().GetAwaiter().GetResult().Fired;

    private static bool Fire(InitiatorConnection machine, InitiatorTrigger trigger) => (trigger switch
    {
        InitiatorTrigger.ReceivedAck => machine.ReceivedAckAsync(ReadOnlyMemory<byte>.Empty),
        InitiatorTrigger.ReceivedTransport => machine.ReceivedTransportAsync(Message),
        InitiatorTrigger.ReceivedReceipt => machine.ReceivedReceiptAsync(new byte[8]),
        InitiatorTrigger.ReceivedBatch => machine.ReceivedBatchAsync(new byte[16]),
        InitiatorTrigger.Connect => machine.ConnectAsync(),
        InitiatorTrigger.ConnectWithTicket => machine.ConnectWithTicketAsync(),
        InitiatorTrigger.Failed => machine.FailedAsync("failed"),
        InitiatorTrigger.Close => machine.CloseAsync(),
        InitiatorTrigger.HandshakeTimedOut => machine.HandshakeTimedOutAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "A trigger this test does not know: add it."),
    }).AsTask().GetAwaiter().GetResult().Fired;
}
