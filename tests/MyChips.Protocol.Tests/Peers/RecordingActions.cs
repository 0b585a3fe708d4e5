using System.Text.Json;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Records the actions the machines ask for, in order, as "Name(argument)".</summary>
public sealed class RecordingActions : IResponderActions, IInitiatorActions
{
    public List<string> Done { get; } = new();

    /// <summary>Runs inside an action, to check that a trigger fired from an action sees the new state.</summary>
    public Func<ValueTask>? DuringValidateTicket { get; set; }

    public ValueTask<ActionOutcome> LoadPeerKeyAsync(string agentId) => Record($"LoadPeerKey({agentId})");

    public ValueTask<ActionOutcome> AcknowledgeKnockAsync(JsonElement peerMessage) => Record($"AcknowledgeKnock({peerMessage.GetRawText()})");

    public async ValueTask<ActionOutcome> ValidateTicketAsync(JsonElement peerMessage)
    {
        await Record($"ValidateTicket({peerMessage.GetRawText()})");
        if (DuringValidateTicket is not null)
            await DuringValidateTicket();
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> AcknowledgeTicketAsync() => Record("AcknowledgeTicket()");

    public ValueTask<ActionOutcome> ConfirmByTransportAsync(JsonElement peerMessage) => Record($"ConfirmByTransport({peerMessage.GetRawText()})");

    public ValueTask<ActionOutcome> ConfirmByReceiptAsync(ReadOnlyMemory<byte> count) => Record($"ConfirmByReceipt({Convert.ToHexString(count.Span)})");

    public ValueTask<ActionOutcome> ConfirmWithoutProofAsync() => Record("ConfirmWithoutProof()");

    public ValueTask<ActionOutcome> SendDeclareAndKnockAsync() => Record("SendDeclareAndKnock()");

    public ValueTask<ActionOutcome> SendTicketAsync() => Record("SendTicket()");

    public ValueTask<ActionOutcome> CompleteHandshakeAsync(ReadOnlyMemory<byte> capabilities) => Record($"CompleteHandshake({capabilities.Length} bytes)");
    public ValueTask<ActionOutcome> RecordOfferAsync(ReadOnlyMemory<byte> capabilities) => Record($"RecordOffer({capabilities.Length} bytes)");

    public ValueTask<ActionOutcome> AbandonAsync() => Record("Abandon()");

    private ValueTask<ActionOutcome> Record(string what)
    {
        Done.Add(what);
        return new(ActionOutcome.Continue);
    }
}
