using System.Buffers;
using Auditrail.Admission.Review;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Codec;

/// <summary>
/// The codec runs once per review on every pod creation in the cluster: decoding must not copy the body
/// or materialize the object, only the request's own strings; encoding a verdict allocates little beyond
/// the writer. Budgets are loose enough for runtime changes and tight enough to catch a copy of the object
/// or path strings built for fields that are fine (measured: about 1.2 KB per decode of this review, of
/// which 72 bytes are JsonDocument's own).
/// </summary>
public sealed class AdmissionReviewAllocationTests
{
    [Fact]
    public void Decoding_a_review_allocates_far_less_than_its_size()
    {
        var body = Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam));
        for (var i = 0; i < 50; i++)
        {
            AdmissionReviewJson.Decode(body).Dispose();
        }

        const int Rounds = 200;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            AdmissionReviewJson.Decode(body).Dispose();
        }

        var perReview = (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;
        Assert.True(perReview < 1_600, $"{perReview} bytes allocated per decode of a {body.Length}-byte review");
    }

    [Fact]
    public void Encoding_a_verdict_allocates_little()
    {
        var verdict = new AdmissionVerdict { Allowed = false, Code = 403, Message = "pod web runs as root", Warnings = ["latest tag"] };
        var buffer = new ArrayBufferWriter<byte>(4096);
        for (var i = 0; i < 50; i++)
        {
            buffer.ResetWrittenCount();
            AdmissionReviewJson.WriteResponse(buffer, AdmissionReviewVersion.V1, "705ab4f5-6393-11e8-b7cc-42010a800002", verdict);
        }

        const int Rounds = 200;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            buffer.ResetWrittenCount();
            AdmissionReviewJson.WriteResponse(buffer, AdmissionReviewVersion.V1, "705ab4f5-6393-11e8-b7cc-42010a800002", verdict);
        }

        var perVerdict = (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;
        Assert.True(perVerdict < 600, $"{perVerdict} bytes allocated per encoded verdict");
    }
}
