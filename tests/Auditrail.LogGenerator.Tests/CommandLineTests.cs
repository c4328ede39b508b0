using System.IO.Compression;
using Auditrail.LogGenerator.Cli;

namespace Auditrail.LogGenerator.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("loggen-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Help_explains_usage_with_examples()
    {
        var (code, stdout, stderr) = Run("--help");
        Assert.Equal(0, code);
        Assert.Empty(stdout);
        Assert.Contains("--events N", stderr, StringComparison.Ordinal);
        Assert.Contains("Examples:", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--seed", "3")]
    [InlineData("--events", "ten")]
    [InlineData("--events", "10", "--attack-share", "0.9")]
    [InlineData("--events", "10", "--start", "yesterday")]
    [InlineData("--events", "10", "--bogus")]
    [InlineData("--events")]
    public void Bad_arguments_exit_2_with_a_message(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_go_to_standard_output_by_default()
    {
        var (code, stdout, _) = Run("--events", "1k", "--quiet");
        Assert.Equal(0, code);
        Assert.Equal(1_000, stdout.Count(c => c == '\n'));
        Assert.StartsWith("{\"kind\":\"Event\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Gzip_output_holds_the_same_log_and_labels_go_to_their_own_file()
    {
        var plain = Path.Combine(_directory, "audit.jsonl");
        var packed = Path.Combine(_directory, "audit.jsonl.gz");
        var labels = Path.Combine(_directory, "labels.jsonl");
        Assert.Equal(0, Run("--events", "3000", "--seed", "9", "--attack-share", "0.1", "--out", plain, "--quiet").Code);
        var (code, _, stderr) = Run("--events", "3000", "--seed", "9", "--attack-share", "0.1", "--out", packed, "--labels", labels);
        Assert.Equal(0, code);
        Assert.Contains("events/s", stderr, StringComparison.Ordinal);
        using var unzip = new GZipStream(File.OpenRead(packed), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        unzip.CopyTo(copy);
        Assert.Equal(File.ReadAllBytes(plain), copy.ToArray());
        Assert.NotEmpty(File.ReadAllLines(labels));
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var code = GeneratorCommand.Run(args, () => new NonClosingStream(stdout), stderr);
        return (code, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    /// <summary>Standard output must survive the command disposing its writer, as the console stream does.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
