using System.Text;
using CsCheck;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Tests.Wire;

namespace MyChips.Protocol.Tests.Fuzzing;

/// <summary>Every body codec and parser the network reaches, on random bytes, JSON-like text and mutated real packets: a clear false, never an exception.</summary>
[Trait("Category", FuzzBudget.Category)]
public class BodyCodecFuzzTests
{
    private static readonly Gen<byte[]> JsonLike = Gen.Char["{}[]\":,.-+eE0123456789 truefalsnul\\uAF\n"].Array[0, 80]
        .Select(chars => Encoding.UTF8.GetBytes(chars));

    private static readonly byte[] TicketMessage = Encoding.UTF8.GetBytes(WirePackets.TicketMessage);

    /// <summary>A real ticket message with a few bytes overwritten, inserted or cut.</summary>
    private static readonly Gen<byte[]> MutatedTicket = Gen.Select(Gen.Int[0, TicketMessage.Length - 1], Gen.Byte, Gen.Int[0, 2], Gen.Int[1, 4])
        .Select((at, value, kind, times) =>
        {
            var bytes = new List<byte>(TicketMessage);
            for (var i = 0; i < times; i++)
            {
                var position = (at + i * 7) % bytes.Count;
                if (kind == 0) bytes[position] = value;
                else if (kind == 1) bytes.Insert(position, value);
                else bytes.RemoveAt(position);
            }
            return bytes.ToArray();
        });

    private static readonly Gen<byte[]> Inputs = Gen.OneOf(Gen.Byte.Array[0, 120], JsonLike, MutatedTicket);

    [Fact]
    public void Every_body_parser_answers_arbitrary_input_without_throwing() =>
        FuzzBudget.Run(Inputs, bytes =>
        {
            if (AgentIdCodec.TryDecode(bytes, out var agentText)) Assert.NotNull(agentText);
            Assert.Equal(PeerMessageCodec.IsValid(bytes), PeerMessageCodec.TryDecode(bytes, out _));
            CountCodec.TryDecode(bytes, out _);
            MessageJson.LooksLikeObject(bytes);
            MessageJson.TryParseAgentId(bytes, out _);
            if (MessageJson.TryReadTicketRequest(bytes, out var token, out var from, out _))
            {
                Assert.NotNull(token);
                Assert.False(from.IsEmpty);
            }
            var text = Encoding.UTF8.GetString(bytes);
            AgentId.TryParse(text, out _);
            ChipAddress.TryParse(text, out _);
        }, 20_000);

    [Fact]
    public void A_decoded_message_re_encodes_to_an_equivalent_message() =>
        FuzzBudget.Run(Inputs, bytes =>
        {
            if (!PeerMessageCodec.TryDecode(bytes, out var element)) return;
            var again = PeerMessageCodec.ToBytes(element);
            Assert.True(PeerMessageCodec.TryDecode(again, out var reparsed));
            Assert.True(System.Text.Json.JsonElement.DeepEquals(element, reparsed));
        }, 10_000);
}
