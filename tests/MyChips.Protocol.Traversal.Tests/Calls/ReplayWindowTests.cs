using MyChips.Protocol.Traversal.Calls;

namespace MyChips.Protocol.Traversal.Tests.Calls;

public sealed class ReplayWindowTests
{
    [Fact]
    public void A_counter_is_accepted_once()
    {
        var window = new ReplayWindow();
        Assert.True(window.Accept(0));
        Assert.False(window.Accept(0));
        Assert.Equal(ReplayVerdict.Replayed, window.Check(0));
    }

    [Fact]
    public void Reordered_counters_inside_the_window_are_accepted_and_then_seen()
    {
        var window = new ReplayWindow();
        Assert.True(window.Accept(10));
        Assert.True(window.Accept(7)); // late, but inside
        Assert.True(window.Accept(9));
        Assert.False(window.Accept(7));
        Assert.Equal(ReplayVerdict.New, window.Check(8)); // skipped over, still acceptable
    }

    [Fact]
    public void A_counter_below_the_window_is_too_old()
    {
        var window = new ReplayWindow(1024);
        window.Accept(5000);
        Assert.Equal(ReplayVerdict.TooOld, window.Check(5000 - 1024));
        Assert.Equal(ReplayVerdict.New, window.Check(5000 - 1023));
        Assert.False(window.Accept(3));
    }

    [Fact]
    public void Moving_the_window_forgets_the_bits_of_counters_it_skipped()
    {
        var window = new ReplayWindow(64);
        for (ulong c = 0; c < 64; c++) window.Accept(c);
        Assert.True(window.Accept(100)); // skipped 64..99, whose slots held 0..35
        for (ulong c = 64; c < 100; c++) Assert.Equal(ReplayVerdict.New, window.Check(c));
        Assert.Equal(ReplayVerdict.Replayed, window.Check(100));
        Assert.True(window.Accept(1000)); // a jump past the whole window clears it
        Assert.Equal(ReplayVerdict.New, window.Check(999));
        Assert.Equal(ReplayVerdict.TooOld, window.Check(100));
    }

    [Fact]
    public void A_window_that_is_not_a_multiple_of_64_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(100));
    }
}
