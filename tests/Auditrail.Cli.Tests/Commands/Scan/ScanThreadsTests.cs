using System.Text;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;
using Auditrail.LogGenerator;

namespace Auditrail.Cli.Tests.Commands.Scan;

/// <summary>
/// <c>scan --threads N</c> parses and matches on N workers and applies in input order: the alerts, their
/// order, the diagnostics, the summary and the exit code are those of <c>--threads 1</c>.
/// </summary>
public sealed class ScanThreadsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("auditrail-scan-threads-");

    public void Dispose() => _dir.Delete(recursive: true);

    public static TheoryData<string> Formats => new() { "json", "table" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Test_data_scans_the_same_on_one_and_two_threads(string format)
    {
        AssertSameOnThreads(CliRunner.Data("falco-k8saudit", "trace_files"), CliRunner.Data("audit-logs"), CliRunner.Data("cloud-envelopes"), CliRunner.Data("audit2rbac"), "-o", format);
    }

    [Fact]
    public void Samples_scan_the_same_on_one_and_two_threads() =>
        AssertSameOnThreads(Path.Combine(RepositoryRoot(), "samples"), "-o", "json");

    [Fact]
    public void A_generated_log_with_malformed_lines_scans_the_same_on_one_two_and_three_threads()
    {
        var log = WriteGeneratedLog(30_000, malformedEvery: 997);

        var one = AssertSameOnThreads(log, "-o", "json");
        Assert.Equal(ExitCodes.BadRecords, one.ExitCode);
        Assert.NotEmpty(one.OutLines);
        Assert.Contains("AR1001", one.Error);
        Assert.Equal(one, Scan(3, log, "-o", "json"));
    }

    [Fact]
    public void Since_and_until_apply_on_every_thread_count()
    {
        var log = WriteGeneratedLog(20_000, malformedEvery: 0);
        var window = new[] { "--since", "2026-01-01T00:05:00Z", "--until", "2026-01-01T00:20:00Z" };

        string[] args = [log, "-o", "json", .. window];
        var one = AssertSameOnThreads(args);
        var all = Scan(1, log, "-o", "json");
        Assert.True(one.OutLines.Length < all.OutLines.Length);
    }

    [Fact]
    public void Standard_input_scans_the_same_on_one_and_two_threads()
    {
        var stdin = File.ReadAllText(WriteGeneratedLog(3_000, malformedEvery: 101));

        var one = CliRunner.RunWithStdin(stdin, "scan", "-", "-o", "json", "--threads", "1");
        var two = CliRunner.RunWithStdin(stdin, "scan", "-", "-o", "json", "--threads", "2");

        Assert.Equal(one, two);
        Assert.Contains("<stdin>:", one.Error);
    }

    [Fact]
    public void Threads_below_one_are_a_usage_error()
    {
        var result = CliRunner.Run("scan", CliRunner.Data("audit2rbac", "demo.log"), "--threads", "0");

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("--threads must be at least 1", result.Error);
    }

    private static CliResult Scan(int threads, params string[] args) => CliRunner.Run(["scan", .. args, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    private static CliResult AssertSameOnThreads(params string[] args)
    {
        var one = Scan(1, args);
        var two = Scan(2, args);
        Assert.Equal(one.ExitCode, two.ExitCode);
        Assert.Equal(one.Out, two.Out);
        Assert.Equal(one.Error, two.Error);
        Assert.Contains("scanned", one.Error + one.Out);
        return one;
    }

    /// <summary>A seeded generated log, with a broken line (cut, garbage or a line that starts a longer value) every so often.</summary>
    private string WriteGeneratedLog(int events, int malformedEvery)
    {
        using var generated = new MemoryStream();
        new AuditLogGenerator(new GeneratorOptions { Seed = 11 }).Write(generated, events);
        var lines = Encoding.UTF8.GetString(generated.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var path = Path.Combine(_dir.FullName, $"generated-{events}-{malformedEvery}.log");
        using var writer = new StreamWriter(path);
        for (var i = 0; i < lines.Length; i++)
        {
            writer.Write(lines[i]);
            writer.Write('\n');
            if (malformedEvery > 0 && i % malformedEvery == malformedEvery - 1)
            {
                writer.Write((i / malformedEvery % 3) switch
                {
                    0 => lines[i][..(lines[i].Length / 2)],
                    1 => "not json at all",
                    _ => "{\"a\":{\"b\":1}",
                });
                writer.Write('\n');
            }
        }

        return path;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Auditrail.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("repository root not found");
    }
}
