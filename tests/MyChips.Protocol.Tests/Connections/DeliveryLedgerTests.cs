using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Connections.Delivery;

namespace MyChips.Protocol.Tests.Connections;

/// <summary>Delivery accounting: numbered writes, cumulative acknowledgements, the receipt deadline, and closing.</summary>
public sealed class DeliveryLedgerTests
{
    private readonly FakeTimeProvider _time = new();

    private DeliveryLedger<string> Ledger(params string[] written)
    {
        var ledger = new DeliveryLedger<string>(_time);
        foreach (var item in written) Assert.True(ledger.TryTrack(ledger.Number(), item, out _));
        return ledger;
    }

    [Fact]
    public void A_count_completes_every_message_up_to_it_in_order_and_no_more()
    {
        var ledger = Ledger("a", "b", "c");
        var completed = new List<(long, string)>();
        Assert.True(ledger.TryAcknowledge(2, completed, static (list, sequence, item) => list.Add((sequence, item))));
        Assert.Equal([(1L, "a"), (2L, "b")], completed);
        Assert.Equal(1, ledger.Waiting);
        // A count already covered completes nothing again.
        Assert.True(ledger.TryAcknowledge(2, completed, static (list, sequence, item) => list.Add((sequence, item))));
        Assert.Equal(2, completed.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void A_count_of_messages_never_written_is_refused_and_completes_nothing(long count)
    {
        var ledger = Ledger("a", "b", "c");
        var completed = 0;
        Assert.False(ledger.TryAcknowledge(count, 0, (_, _, _) => completed++));
        Assert.Equal(0, completed);
        Assert.Equal(3, ledger.Waiting);
    }

    [Fact]
    public void The_deadline_runs_from_the_first_wait_and_restarts_with_progress()
    {
        var ledger = new DeliveryLedger<string>(_time);
        var timeout = TimeSpan.FromSeconds(30);
        Assert.Equal(Timeout.InfiniteTimeSpan, ledger.WaitLeft(timeout));
        Assert.True(ledger.TryTrack(ledger.Number(), "a", out var started));
        Assert.True(started);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(ledger.TryTrack(ledger.Number(), "b", out started));
        Assert.False(started);
        Assert.Equal(TimeSpan.FromSeconds(20), ledger.WaitLeft(timeout));
        Assert.True(ledger.TryAcknowledge(1, 0, static (_, _, _) => { }));
        Assert.Equal(timeout, ledger.WaitLeft(timeout));
        _time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(TimeSpan.Zero, ledger.WaitLeft(timeout));
        Assert.Equal(Timeout.InfiniteTimeSpan, ledger.WaitLeft(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void Closing_hands_over_what_waits_and_refuses_later_tracking()
    {
        var ledger = Ledger("a", "b");
        var failed = new List<string>();
        ledger.Close(failed, static (list, _, item) => list.Add(item));
        Assert.Equal(["a", "b"], failed);
        Assert.False(ledger.TryTrack(ledger.Number(), "c", out _));
        Assert.Equal(0, ledger.Waiting);
    }

    [Fact]
    public void Forgetting_completes_nothing_and_copying_sees_what_waits()
    {
        var ledger = Ledger("a", "b");
        var copy = new List<string>();
        ledger.CopyTo(copy);
        Assert.Equal(["a", "b"], copy);
        ledger.Forget();
        Assert.Equal(0, ledger.Waiting);
        Assert.Equal(2, ledger.Written);
    }

    [Fact]
    public void A_receipt_is_due_after_messages_arrive_and_once_per_count_unless_forced()
    {
        var counter = new ReceiptCounter();
        Assert.False(counter.IsDue);
        Assert.False(counter.TryTake(out _));
        Assert.True(counter.TryTake(out var forced, force: true));
        Assert.Equal(0, forced);
        counter.Count();
        counter.Count(2);
        Assert.True(counter.IsDue);
        Assert.True(counter.TryTake(out var count));
        Assert.Equal(3, count);
        Assert.False(counter.IsDue);
        Assert.False(counter.TryTake(out _));
    }
}
