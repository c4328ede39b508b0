using System.Diagnostics;
using System.Text;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary>
/// <c>auditrail serve</c> as a separate process (the <c>auditrail.dll</c> built beside the tests, run by
/// the same <c>dotnet</c>), so it can be killed as the kernel kills it: no shutdown hook, no flush.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ServerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>What the server wrote to stderr so far, for failure messages.</summary>
    public string Error
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ServerProcess Start(string config)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "auditrail.dll");
        var start = new ProcessStartInfo(DotnetMuxer())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process);
        process.ErrorDataReceived += (_, line) =>
        {
            lock (server._stderr)
            {
                server._stderr.AppendLine(line.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return server;
    }

    /// <summary>The <c>dotnet</c> that runs the tests: the SDK names it in DOTNET_HOST_PATH; else the host itself when it is dotnet.</summary>
    private static string DotnetMuxer()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    /// <summary>Waits until <c>/readyz</c> answers 200: the pipeline has replayed what the queue held.</summary>
    public async Task WaitUntilReadyAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(_process.HasExited, $"the server exited: {Error}");
            try
            {
                using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the server was not ready within 60 s: {Error}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: the process ends at once, with whatever it had in memory.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as kubelet stops a pod, then waits for the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await terminate.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
