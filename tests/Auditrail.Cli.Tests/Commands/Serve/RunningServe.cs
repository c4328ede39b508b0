using Auditrail.Cli.Commands.Serve;
using Auditrail.Cli.Hosting;
using Auditrail.Server.Configuration;
using Auditrail.Server.Hosting;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary>
/// <c>auditrail serve</c> running in process until <see cref="StopAsync"/>, as SIGTERM would stop it, with
/// its data in a folder of its own (deleted afterwards) unless the overrides name one.
/// </summary>
internal sealed class RunningServe : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task<int> _run = Task.FromResult(-1);
    private string? _ownData;

    public StringWriter Error { get; } = new();

    /// <summary>What the command wrote to stdout: the stdout sink's alerts.</summary>
    public StringWriter Out { get; } = new();

    public string DataDirectory { get; private set; } = string.Empty;

    public AuditrailServer Server { get; private set; } = null!;

    public static async Task<RunningServe> StartAsync(string? config, ServeOverrides overrides)
    {
        var serve = new RunningServe();
        if (overrides.DataDirectory is null)
        {
            serve._ownData = Directory.CreateTempSubdirectory("auditrail-serve-data-").FullName;
            overrides = overrides with { DataDirectory = serve._ownData };
        }

        serve.DataDirectory = overrides.DataDirectory!;
        var context = new CliContext(TextWriter.Synchronized(serve.Out), TextWriter.Synchronized(serve.Error), () => Stream.Null, interactiveError: false);
        var started = new TaskCompletionSource<AuditrailServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve._run = Task.Run(() => ServeCommand.RunAsync(context, config, overrides, started.SetResult, serve._stop.Token));
        serve.Server = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return serve;
    }

    /// <summary>Polls <c>/readyz</c> until it answers 200 (the pipeline has recovered), for at most 30 s.</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = Server.Addresses[0] };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"not ready: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(20);
        }
    }

    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        _stop.Dispose();
        if (_ownData is not null && _run.IsCompleted)
        {
            Directory.Delete(_ownData, recursive: true);
        }
    }
}
