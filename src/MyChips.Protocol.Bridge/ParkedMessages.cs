namespace MyChips.Protocol.Bridge;

/// <summary>
/// Partners' messages the database refused as things stood, kept to be tried again after the next change, so
/// that the order messages arrive in does not matter. Bounded in count and in attempts per message.
/// </summary>
internal sealed class ParkedMessages(int capacity, int maxAttempts)
{
    private readonly Lock _gate = new();
    private List<(string Text, int Attempts)> _waiting = [];

    public int Count
    {
        get { lock (_gate) return _waiting.Count; }
    }

    /// <summary>Keeps a message that was tried <paramref name="attempts"/> times; false when it is given up.</summary>
    public bool Park(string text, int attempts)
    {
        if (attempts >= maxAttempts) return false;
        lock (_gate)
        {
            if (_waiting.Count >= capacity) return false;
            _waiting.Add((text, attempts));
            return true;
        }
    }

    public IReadOnlyList<(string Text, int Attempts)> TakeAll()
    {
        lock (_gate)
        {
            var taken = _waiting;
            _waiting = [];
            return taken;
        }
    }
}
