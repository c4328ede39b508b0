using Auditrail.Cli.Commands.Serve;
using Auditrail.Cli.Hosting;
using Auditrail.Server.Configuration;
using Auditrail.Server.Hosting;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary><c>auditrail serve</c> running in process until <see cref="StopAsync"/>, as SIGTERM would stop it.</summary>
internal sealed class RunningServe : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task<int> _run = Task.FromResult(-1);

    public StringWriter Error { get; } = new();

    public AuditrailServer Server { get; private set; } = null!;

    public static async Task<RunningServe> StartAsync(string? config, ServeOverrides overrides)
    {
        var serve = new RunningServe();
        var context = new CliContext(new StringWriter(), TextWriter.Synchronized(serve.Error), () => Stream.Null, interactiveError: false);
        var started = new TaskCompletionSource<AuditrailServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve._run = Task.Run(() => ServeCommand.RunAsync(context, config, overrides, started.SetResult, serve._stop.Token));
        serve.Server = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return serve;
    }

    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose() => _stop.Dispose();
}
