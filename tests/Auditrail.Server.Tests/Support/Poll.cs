namespace Auditrail.Server.Tests.Support;

/// <summary>Waiting for a condition in tests: polls instead of sleeping a fixed time, and fails only after a generous timeout.</summary>
internal static class Poll
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing after 30 s with what <paramref name="describe"/> says.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string>? describe = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "condition not met in time: " + describe?.Invoke());
            await Task.Delay(10);
        }
    }
}
