using System.Text.Json;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Records the actions the machines ask for, in order, as "Name(argument)".</summary>
public sealed class RecordingActions : IResponderActions, IInitiatorActions
{
    public List<string> Done { get; } = new();

    /// <summary>Runs inside an action, to check that a trigger fired from an action sees the new state.</summary>
    public Func<ValueTask>? DuringValidateTicket { get; set; }

    public ValueTask LoadPeerKeyAsync(string agentId) => Record($"LoadPeerKey({agentId})");

    public ValueTask AcknowledgeKnockAsync(JsonElement peerMessage) => Record($"AcknowledgeKnock({peerMessage.GetRawText()})");

    public async ValueTask ValidateTicketAsync(JsonElement peerMessage)
    {
        await Record($"ValidateTicket({peerMessage.GetRawText()})");
        if (DuringValidateTicket is not null)
            await DuringValidateTicket();
    }

    public ValueTask AcknowledgeTicketAsync() => Record("AcknowledgeTicket()");

    public ValueTask ConfirmByTransportAsync(JsonElement peerMessage) => Record($"ConfirmByTransport({peerMessage.GetRawText()})");

    public ValueTask ConfirmByReceiptAsync(ReadOnlyMemory<byte> count) => Record($"ConfirmByReceipt({Convert.ToHexString(count.Span)})");

    public ValueTask ConfirmWithoutProofAsync() => Record("ConfirmWithoutProof()");

    public ValueTask SendDeclareAndKnockAsync() => Record("SendDeclareAndKnock()");

    public ValueTask SendTicketAsync() => Record("SendTicket()");

    public ValueTask CompleteHandshakeAsync(ReadOnlyMemory<byte> capabilities) => Record($"CompleteHandshake({capabilities.Length} bytes)");
    public ValueTask RecordOfferAsync(ReadOnlyMemory<byte> capabilities) => Record($"RecordOffer({capabilities.Length} bytes)");

    public ValueTask AbandonAsync() => Record("Abandon()");

    private ValueTask Record(string what)
    {
        Done.Add(what);
        return ValueTask.CompletedTask;
    }
}
