using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary>
/// The server's promise to kube-apiserver: an acknowledged event is processed exactly once, even when the
/// process is killed with SIGKILL in the middle of a stream. The server runs as a separate process, is
/// killed while batches are in flight, restarted on the same data, and sent again every batch that was
/// not acknowledged, as the apiserver's batch backend resends; then every event must be in the store
/// once and every expected alert in the alert file once.
/// </summary>
public sealed class ServeDurabilityTests : IDisposable
{
    private const string Token = "durability-test-token";
    private const int Batches = 60;
    private const int EventsPerBatch = 100;
    private const int TriggerEvery = 25;
    private const int Senders = 4;
    private readonly ScratchDirectory _scratch = new("auditrail-durability-");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Every_acknowledged_event_is_processed_exactly_once_across_a_kill_9()
    {
        var port = FreePort();
        _scratch.Write("token", Token);
        var config = _scratch.Write("serve.yaml", $$"""
            apiVersion: auditrail.io/v1alpha1
            kind: ServeConfiguration
            listen: 127.0.0.1:{{port}}
            logging: { level: warning }
            dataDirectory: data
            ingest:
              tokens: [{ file: token, scopes: [ingest] }]
              cluster: durable
            api:
              tokens: [{ file: token, scopes: [admin] }]
            sinks:
              - { name: archive, type: file, path: data/alerts.jsonl }
            """);
        var batches = Enumerable.Range(1, Batches).Select(n => AuditBatches.Make(n, EventsPerBatch, TriggerEvery)).ToList();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        // First life: several senders in parallel; once a third of the batches are acknowledged the
        // server is killed while the others are still posting.
        var acknowledged = new ConcurrentDictionary<int, bool>();
        using (var first = ServerProcess.Start(config))
        {
            await first.WaitUntilReadyAsync(client);
            var next = -1;
            var killed = 0;
            await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < Batches && Volatile.Read(ref killed) == 0)
                {
                    if (await TryPostAsync(client, batches[index]))
                    {
                        acknowledged[index] = true;
                    }

                    if (acknowledged.Count >= Batches / 3 && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        first.Kill();
                    }
                }
            })));
            Assert.Equal(1, killed);
        }

        var acknowledgedBeforeKill = acknowledged.Keys.ToHashSet();
        Assert.InRange(acknowledgedBeforeKill.Count, Batches / 3, Batches - 1);

        // Second life on the same data: the apiserver resends what it has no 200 for.
        using var second = ServerProcess.Start(config);
        await second.WaitUntilReadyAsync(client);
        foreach (var index in Enumerable.Range(0, Batches).Where(i => !acknowledgedBeforeKill.Contains(i)))
        {
            Assert.True(await TryPostAsync(client, batches[index]), $"batch {index} was refused after the restart: {second.Error}");
        }

        var allIds = batches.SelectMany(b => b.AuditIds).ToList();
        var triggers = batches.SelectMany(b => b.TriggerIds).ToList();
        var alertsFile = Path.Combine(_scratch.Path, "data", "alerts.jsonl");
        await WaitUntil(async () => await CountAsync(client, "SELECT count(DISTINCT audit_id) AS n FROM events") == allIds.Count, "every event in the store", second);
        await WaitUntil(() => Task.FromResult(AlertedIds(alertsFile).Count >= triggers.Count), "every alert in the file", second);

        // Each request once in the store, each acknowledged-before-the-kill event among them.
        Assert.Equal(allIds.Count, await CountAsync(client, "SELECT count(*) AS n FROM events"));
        Assert.Equal(allIds.Count, await CountAsync(client, "SELECT count(*) AS n FROM events WHERE cluster = 'durable'"));
        Assert.Equal(ExitCodes.Success, await second.StopAsync());

        // Each expected alert exactly once in the file (read after the server let go of it).
        var alerted = AlertedIds(alertsFile);
        Assert.Equal(triggers.Order(), alerted.Order());
        var acknowledgedTriggers = acknowledgedBeforeKill.SelectMany(i => batches[i].TriggerIds);
        Assert.All(acknowledgedTriggers, id => Assert.Single(alerted, id));
    }

    /// <summary>One POST as the apiserver makes it; true only for 200. A connection killed mid-request is not an acknowledgement.</summary>
    private static async Task<bool> TryPostAsync(HttpClient client, AuditBatch batch)
    {
        try
        {
            using var content = batch.Content();
            using var response = await client.PostAsync(new Uri("/audit/webhook", UriKind.Relative), content);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<long> CountAsync(HttpClient client, string sql)
    {
        using var response = await client.PostAsJsonAsync(new Uri("/api/v1/sql", UriKind.Relative), new { sql });
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("rows")[0].GetProperty("n").GetInt64();
    }

    /// <summary>Every auditID named by an alert in the file, once per alert naming it.</summary>
    private static List<string> AlertedIds(string path) =>
        !File.Exists(path)
            ? []
            : [.. ReadShared(path).Where(line => line.Length > 0)
                .SelectMany(line => JsonDocument.Parse(line).RootElement.GetProperty("auditIDs").EnumerateArray().Select(id => id.GetString()!))];

    /// <summary>The file's complete lines, read while the server may still be appending.</summary>
    private static IEnumerable<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        return text[..(text.LastIndexOf('\n') + 1)].Split('\n');
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, string what, ServerProcess server)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}: {server.Error}");
            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
