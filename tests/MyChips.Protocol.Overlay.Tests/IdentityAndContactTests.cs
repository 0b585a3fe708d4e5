using System.Security.Cryptography;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;

namespace MyChips.Protocol.Overlay.Tests;

public sealed class IdentityAndContactTests
{
    [Fact]
    public void A_node_id_is_SHA256_of_the_static_public_key()
    {
        var identity = OverlayIdentity.Generate();

        Assert.Equal(SHA256.HashData(identity.PublicKey.Span), identity.Id.ToArray());
        Assert.Equal(identity.Id, OverlayIdentity.FromPrivateKey(identity.PrivateKey.Span).Id);
    }

    [Fact]
    public void The_XOR_metric_orders_ids_and_buckets_count_shared_leading_bits()
    {
        var self = NodeId.Random();
        for (var bucket = 0; bucket < NodeId.Bits; bucket += 17)
            Assert.Equal(bucket, NodeId.CommonPrefixLength(self, self.RandomInBucket(bucket)));
        var near = self.RandomInBucket(200);
        var far = self.RandomInBucket(3);
        Assert.True(NodeId.CompareDistance(self, near, far) < 0);
        Assert.Equal(NodeId.Bits, NodeId.CommonPrefixLength(self, self));
        Assert.True(self.WithRandomSuffix(12).HasPrefix(self, 12));
    }

    [Fact]
    public void A_card_survives_its_text_form_and_garbage_does_not_parse()
    {
        var book = new ContactBook();
        var card = book.Add("bob", new ContactCard(OverlayIdentity.Generate().PublicKey, new byte[36]), OverlayIdentity.Generate().PublicKey);

        Assert.True(ContactCard.TryParse(card.ToString(), out var parsed));
        Assert.Equal(card, parsed);
        Assert.False(ContactCard.TryParse("overlay-card:abc", out _));
        Assert.False(ContactCard.TryParse("overlay-card:!!!.???", out _));
        Assert.False(ContactCard.TryParse(null, out _));
    }

    [Fact]
    public void Each_contact_gets_its_own_token_and_only_the_issuer_maps_it_back()
    {
        var me = OverlayIdentity.Generate();
        var book = new ContactBook();
        var forBob = book.Add("bob", CardOf(OverlayIdentity.Generate()), me.PublicKey);
        var forCarol = book.Add("carol", CardOf(OverlayIdentity.Generate()), me.PublicKey);

        Assert.False(forBob.Token.Span.SequenceEqual(forCarol.Token.Span));
        Assert.Equal("bob", book.Redeem(forBob.Token.Span)?.Name);
        Assert.Equal("carol", book.Redeem(forCarol.Token.Span)?.Name);
        Assert.Null(new ContactBook().Redeem(forBob.Token.Span)); // another holder's secret
        var tampered = forBob.Token.ToArray();
        tampered[^1] ^= 1;
        Assert.Null(book.Redeem(tampered));
    }

    [Fact]
    public void Regenerating_voids_every_card_and_reissues_to_the_chosen_contacts_only()
    {
        var me = OverlayIdentity.Generate();
        var book = new ContactBook();
        var oldBob = book.Add("bob", CardOf(OverlayIdentity.Generate()), me.PublicKey);
        var oldCarol = book.Add("carol", CardOf(OverlayIdentity.Generate()), me.PublicKey);
        var renewed = OverlayIdentity.Generate();

        var cards = book.Regenerate(["bob"], renewed.PublicKey);

        Assert.Equal(["bob"], cards.Keys);
        Assert.Equal(renewed.PublicKey.ToArray(), cards["bob"].PublicKey.ToArray());
        Assert.Equal("bob", book.Redeem(cards["bob"].Token.Span)?.Name);
        Assert.Null(book.Redeem(oldBob.Token.Span));
        Assert.Null(book.Redeem(oldCarol.Token.Span));
        Assert.Throws<ArgumentException>(() => book.Regenerate(["nobody"], renewed.PublicKey));
    }

    [Fact]
    public void A_find_me_seal_opens_for_its_recipient_only_and_proves_the_sender_key()
    {
        var sender = OverlayIdentity.Generate();
        var recipient = OverlayIdentity.Generate();
        var content = new FindMeContent(sender.PublicKey, new byte[] { 1, 2, 3 }, ["127.0.0.2:4000", "host.example:5"]);

        var sealedBytes = FindMeSeal.Seal(sender.PrivateKey, recipient.PublicKey, content);

        Assert.True(FindMeSeal.TryOpen(recipient.PrivateKey, sealedBytes, out var opened));
        Assert.Equal(sender.PublicKey.ToArray(), opened.SenderPublicKey.ToArray());
        Assert.Equal(content.Addresses, opened.Addresses);
        Assert.Equal(new byte[] { 1, 2, 3 }, opened.Token.ToArray());
        Assert.False(FindMeSeal.TryOpen(OverlayIdentity.Generate().PrivateKey, sealedBytes, out _));
        sealedBytes[^3] ^= 0x40;
        Assert.False(FindMeSeal.TryOpen(recipient.PrivateKey, sealedBytes, out _));
        Assert.False(FindMeSeal.TryOpen(recipient.PrivateKey, new byte[10], out _));
    }

    private static ContactCard CardOf(OverlayIdentity identity) => new(identity.PublicKey, new ContactTokens().Issue(1));
}
