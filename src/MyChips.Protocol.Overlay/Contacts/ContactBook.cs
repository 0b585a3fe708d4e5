namespace MyChips.Protocol.Overlay.Contacts;

/// <summary>
/// The contacts of one node: the cards it received, and which of its own cards went to whom. Only a contact's
/// find-me packets and messages get through. Regenerating the token secret voids every card this node gave;
/// the new cards go to the contacts chosen, the others lose the way to this node.
/// </summary>
public sealed class ContactBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Contact> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _invited = new(StringComparer.Ordinal);
    private ContactTokens _tokens;

    public ContactBook(ContactTokens? tokens = null) => _tokens = tokens ?? new ContactTokens();

    /// <summary>A book as stored: its token secret, its contacts and the invitations not yet answered.</summary>
    public static ContactBook Restore(ContactTokens tokens, IEnumerable<Contact> contacts, IEnumerable<KeyValuePair<string, long>> invitations)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(invitations);
        var book = new ContactBook(tokens);
        foreach (var contact in contacts) book._byName[contact.Name] = contact;
        foreach (var (name, serial) in invitations) book._invited[name] = serial;
        return book;
    }

    /// <summary>Cards given to people who have not given theirs yet, by name.</summary>
    public IReadOnlyDictionary<string, long> Invitations
    {
        get
        {
            lock (_gate) return new Dictionary<string, long>(_invited, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// A card for someone whose card this node does not have yet (the first of two people to exchange cards).
    /// Nothing gets through on it until <see cref="Add"/> records their card under the same name.
    /// </summary>
    public ContactCard Invite(string name, ReadOnlyMemory<byte> myPublicKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            var serial = _byName.TryGetValue(name, out var known) ? known.MySerial
                : _invited.TryGetValue(name, out var invited) ? invited
                : _invited[name] = _tokens.NextSerial();
            return new ContactCard(myPublicKey, _tokens.Issue(serial));
        }
    }

    /// <summary>The token secret in use (to store it).</summary>
    public ContactTokens Tokens
    {
        get
        {
            lock (_gate) return _tokens;
        }
    }

    public IReadOnlyList<Contact> Contacts
    {
        get
        {
            lock (_gate) return _byName.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>
    /// Adds (or updates) <paramref name="name"/> with the card they gave, and returns the card to give them in
    /// turn, made for them alone.
    /// </summary>
    public ContactCard Add(string name, ContactCard theirCard, ReadOnlyMemory<byte> myPublicKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(theirCard);
        lock (_gate)
        {
            var serial = _byName.TryGetValue(name, out var known) ? known.MySerial
                : _invited.Remove(name, out var invited) ? invited
                : _tokens.NextSerial();
            _byName[name] = new Contact(name, theirCard, serial);
            return new ContactCard(myPublicKey, _tokens.Issue(serial));
        }
    }

    /// <summary>Forgets a contact; its card from this node no longer redeems.</summary>
    public bool Remove(string name)
    {
        lock (_gate) return _byName.Remove(name);
    }

    public Contact? Find(string name)
    {
        lock (_gate) return _byName.GetValueOrDefault(name);
    }

    /// <summary>The contact whose Noise static key this is, if any.</summary>
    public Contact? FindByKey(ReadOnlySpan<byte> publicKey)
    {
        lock (_gate)
        {
            foreach (var contact in _byName.Values)
                if (contact.TheirCard.PublicKey.Span.SequenceEqual(publicKey)) return contact;
            return null;
        }
    }

    /// <summary>The contact a token from one of this node's cards was made for; null for a foreign or voided token.</summary>
    public Contact? Redeem(ReadOnlySpan<byte> token)
    {
        lock (_gate)
        {
            if (!_tokens.TryRedeem(token, out var serial)) return null;
            foreach (var contact in _byName.Values)
                if (contact.MySerial == serial) return contact;
            return null;
        }
    }

    /// <summary>
    /// A new token secret (every card given so far is void) and new cards for the contacts in
    /// <paramref name="chosen"/> only, under <paramref name="myPublicKey"/> (the same key, or a regenerated one).
    /// </summary>
    public IReadOnlyDictionary<string, ContactCard> Regenerate(IEnumerable<string> chosen, ReadOnlyMemory<byte> myPublicKey)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        lock (_gate)
        {
            _tokens = new ContactTokens();
            _invited.Clear();
            var cards = new Dictionary<string, ContactCard>(StringComparer.Ordinal);
            foreach (var name in chosen)
            {
                if (!_byName.TryGetValue(name, out var contact)) throw new ArgumentException($"No contact named '{name}'.", nameof(chosen));
                var serial = _tokens.NextSerial();
                _byName[name] = contact with { MySerial = serial };
                cards[name] = new ContactCard(myPublicKey, _tokens.Issue(serial));
            }
            foreach (var name in _byName.Keys.Except(cards.Keys).ToArray())
                _byName[name] = _byName[name] with { MySerial = -1 }; // nothing valid was issued to them
            return cards;
        }
    }
}
