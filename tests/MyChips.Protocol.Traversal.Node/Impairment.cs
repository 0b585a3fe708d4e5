namespace MyChips.Protocol.Traversal.Node;

/// <summary>
/// The order in which the bench's caller sends its sealed tone datagrams, so that the path shows every impairment a
/// call must survive, deterministically: every 25th datagram is dropped, every 10th pair is swapped, and every 20th
/// datagram is followed later by a replay of the one five before it.
/// </summary>
public static class Impairment
{
    public static IReadOnlyList<int> Schedule(int count)
    {
        var order = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (Dropped(i)) continue;
            if (i % 10 == 0 && i + 1 < count && !Dropped(i + 1))
            {
                order.Add(i + 1);
                order.Add(i);
                i++;
            }
            else order.Add(i);
            if (i % 20 == 19 && !Dropped(i - 5)) order.Add(i - 5);
        }
        return order;
    }

    public static bool Dropped(int index) => index % 25 == 24;

    public static int DroppedCount(int count) => Enumerable.Range(0, count).Count(Dropped);

    public static int ReplayCount(int count) => Schedule(count).Count - (count - DroppedCount(count));
}
