using Auditrail.Server.Namespaces;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Namespaces;

/// <summary>
/// The live namespace cache against a loopback server speaking the namespaces list/watch API: readiness
/// waits for the first list, watch events update it, an ended watch reopens from the last version, and
/// an expired one (410) relists, dropping namespaces deleted meanwhile.
/// </summary>
public sealed class ClusterNamespaceCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-namespaces-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Not_ready_until_the_first_list_then_holds_the_listed_namespaces()
    {
        using var api = new FakeNamespaceApiServer(holdLists: true);
        api.Store("team", """{"owner":"payments"}""");
        await using var cache = new ClusterNamespaceCache(ClusterNamespaceCache.CreateClient(api.WriteKubeconfig(_dir)), TimeSpan.FromMinutes(5));
        cache.Start();

        await api.WaitForRequestAsync(FakeNamespaceApiServer.IsList);
        Assert.Equal("the namespaces have not been listed yet", cache.NotReadyReason());
        Assert.Null(cache.FindNamespace("team"));

        api.ReleaseLists();
        await cache.FirstListRead.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Null(cache.NotReadyReason());
        var team = cache.FindNamespace("team");
        Assert.NotNull(team);
        Assert.Equal("payments", team.Value.GetProperty("metadata").GetProperty("labels").GetProperty("owner").GetString());
        Assert.Equal("Namespace", team.Value.GetProperty("kind").GetString());
        Assert.Contains(api.Requests, r => FakeNamespaceApiServer.IsList(r) && r.Contains("limit=500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watch_events_add_change_and_delete_namespaces()
    {
        using var api = new FakeNamespaceApiServer();
        api.Store("team", """{"owner":"payments"}""");
        await using var cache = new ClusterNamespaceCache(ClusterNamespaceCache.CreateClient(api.WriteKubeconfig(_dir)), TimeSpan.FromMinutes(5));
        cache.Start();
        await cache.FirstListRead.WaitAsync(TimeSpan.FromSeconds(20));
        await api.WaitForRequestAsync(FakeNamespaceApiServer.IsWatch);

        api.Send("ADDED", "secure", """{"auditrail.io/sensitive":"true"}""");
        api.Send("MODIFIED", "team", """{"owner":"billing"}""");
        await Eventually(() => cache.FindNamespace("secure") is not null && Owner(cache, "team") == "billing");

        api.Send("DELETED", "secure");
        await Eventually(() => cache.FindNamespace("secure") is null);
        Assert.Equal(1, cache.ListCount);
    }

    [Fact]
    public async Task An_ended_watch_reopens_from_the_last_version_and_an_expired_one_relists()
    {
        using var api = new FakeNamespaceApiServer();
        api.Store("team");
        api.Store("old");
        await using var cache = new ClusterNamespaceCache(ClusterNamespaceCache.CreateClient(api.WriteKubeconfig(_dir)), TimeSpan.FromMinutes(5));
        cache.Start();
        await cache.FirstListRead.WaitAsync(TimeSpan.FromSeconds(20));
        await api.WaitForRequestAsync(FakeNamespaceApiServer.IsWatch);
        Assert.Contains(api.Requests, r => FakeNamespaceApiServer.IsWatch(r) && r.Contains("resourceVersion=102", StringComparison.Ordinal) && r.Contains("timeoutSeconds=300", StringComparison.Ordinal));

        // A normal end (timeoutSeconds elapsed): the next watch starts where the last event left off, no list.
        api.Send("MODIFIED", "team", """{"tier":"gold"}""");
        await Eventually(() => cache.FindNamespace("team")?.GetProperty("metadata").GetProperty("labels").TryGetProperty("tier", out _) == true);
        api.EndWatch();
        await api.WaitForRequestAsync(r => FakeNamespaceApiServer.IsWatch(r) && r.Contains("resourceVersion=103", StringComparison.Ordinal));
        Assert.Equal(1, cache.ListCount);

        // Deleted while the version expires: only a new list can tell, and the cache drops it.
        api.Remove("old");
        api.ExpireWatch();
        await Eventually(() => cache.ListCount == 2);
        Assert.Null(cache.FindNamespace("old"));
        Assert.NotNull(cache.FindNamespace("team"));
        Assert.Null(cache.NotReadyReason());
    }

    [Fact]
    public async Task An_unreachable_apiserver_leaves_it_not_ready_with_the_reason()
    {
        string kubeconfig;
        using (var api = new FakeNamespaceApiServer())
        {
            kubeconfig = api.WriteKubeconfig(_dir);
        }

        await using var cache = new ClusterNamespaceCache(ClusterNamespaceCache.CreateClient(kubeconfig), TimeSpan.FromMinutes(5));
        cache.Start();
        await Eventually(() => cache.NotReadyReason()?.Contains('(', StringComparison.Ordinal) == true);
        Assert.StartsWith("the namespaces have not been listed yet (", cache.NotReadyReason(), StringComparison.Ordinal);
    }

    private static string? Owner(ClusterNamespaceCache cache, string name) =>
        cache.FindNamespace(name)?.GetProperty("metadata").GetProperty("labels").TryGetProperty("owner", out var owner) == true ? owner.GetString() : null;

    private static async Task Eventually(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
