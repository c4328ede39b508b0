using System.Text;
using Auditrail.Storage.Schema;
using Auditrail.Storage.Writing;

namespace Auditrail.Storage.Tests.Writing;

public sealed class FrameCompressorTests
{
    private const int Window = 2_000;

    [Fact]
    public void A_dictionary_is_trained_from_the_first_events_and_retrained_when_the_events_change()
    {
        var saved = new List<byte[]>();
        using var frames = new FrameCompressor(0, null, dictionary => { saved.Add(dictionary); return saved.Count; }, Window);

        Compress(frames, "payments", EventCodec.TrainingSamples);
        Assert.Equal(1, frames.DictionaryId);

        // Same workload for a while: the first window sets the reference, the next ones match it.
        Compress(frames, "payments", 3 * Window);
        Assert.Equal(1, frames.DictionaryId);

        // Another cluster's names and agents: the ratio drops, and the next events train dictionary 2.
        Compress(frames, "zq-observability-ingest", 2 * Window + EventCodec.TrainingSamples);
        Assert.Equal(2, frames.DictionaryId);
        Assert.Equal(2, saved.Count);
    }

    [Fact]
    public void Frames_decompress_with_the_dictionary_they_name()
    {
        var saved = new List<byte[]>();
        using var frames = new FrameCompressor(0, null, dictionary => { saved.Add(dictionary); return saved.Count; }, Window);
        Compress(frames, "payments", EventCodec.TrainingSamples);

        var json = Event("payments", 7);
        var frame = frames.Compress(json);

        using var decompressor = new ZstdSharp.Decompressor();
        decompressor.LoadDictionary(saved[frames.DictionaryId - 1]);
        Assert.Equal(json, decompressor.Unwrap(frame).ToArray());
    }

    private static void Compress(FrameCompressor frames, string team, int count)
    {
        for (var i = 0; i < count; i++)
        {
            frames.Compress(Event(team, i));
        }
    }

    /// <summary>An event-like document whose names come from one team's vocabulary, with a unique uid.</summary>
    private static byte[] Event(string team, int i) => Encoding.UTF8.GetBytes(
        $$$"""{"kind":"Event","level":"RequestResponse","user":{"username":"system:serviceaccount:{{{team}}}:{{{team}}}-worker-{{{i % 13}}}","groups":["system:serviceaccounts:{{{team}}}"]},"userAgent":"{{{team}}}-controller/v{{{i % 3}}}.4.1","objectRef":{"resource":"configmaps","namespace":"{{{team}}}-{{{i % 5}}}","name":"{{{team}}}-settings-{{{i % 17}}}","uid":"{{{new Guid(i, 7, 9, 1, 2, 3, 4, 5, 6, 7, 8)}}}"},"responseStatus":{"code":200},"annotations":{"authorization.k8s.io/reason":"RBAC: allowed by RoleBinding \"{{{team}}}-editors/{{{team}}}-{{{i % 5}}}\""}}""");
}
