namespace Auditrail.LogGenerator.Tests;

public class DeterminismTests
{
    [Fact]
    public void Same_options_write_identical_bytes()
    {
        var options = new GeneratorOptions { Seed = 7, AttackShare = 0.03 };
        var first = Write(new AuditLogGenerator(options), 15_000);
        var second = Write(new AuditLogGenerator(options with { }), 15_000);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Writing_twice_with_one_generator_repeats_the_log()
    {
        var generator = new AuditLogGenerator(new GeneratorOptions { Seed = 3 });
        Assert.Equal(Write(generator, 5_000), Write(generator, 5_000));
    }

    [Fact]
    public void A_shorter_log_is_a_prefix_of_a_longer_one()
    {
        var generator = new AuditLogGenerator(new GeneratorOptions { Seed = 5 });
        var longer = Write(generator, 8_000);
        var shorter = Write(generator, 3_000);
        Assert.Equal(shorter, longer[..shorter.Length]);
    }

    [Fact]
    public void A_different_seed_writes_a_different_log()
    {
        var one = Write(new AuditLogGenerator(new GeneratorOptions { Seed = 1 }), 2_000);
        var two = Write(new AuditLogGenerator(new GeneratorOptions { Seed = 2 }), 2_000);
        Assert.NotEqual(one, two);
    }

    [Fact]
    public void Zero_events_write_nothing()
    {
        var generator = new AuditLogGenerator(new GeneratorOptions());
        Assert.Empty(Write(generator, 0));
        Assert.Equal(0, generator.Stats.Events);
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_problem()
    {
        var error = Assert.Throws<ArgumentException>(() => new AuditLogGenerator(new GeneratorOptions { WorkerNodes = 0, AttackShare = 2 }));
        Assert.Contains("worker nodes", error.Message, StringComparison.Ordinal);
        Assert.Contains("attack share", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Write(AuditLogGenerator generator, long events)
    {
        using var output = new MemoryStream();
        generator.Write(output, events);
        return output.ToArray();
    }
}
