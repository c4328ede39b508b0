namespace Auditrail.Core.Reading.Envelopes;

/// <summary>
/// Maps a <c>google.rpc.Code</c> (what GKE writes to <c>protoPayload.status.code</c>) back to an HTTP status.
/// </summary>
/// <remarks>
/// GKE turns kube-apiserver's HTTP answer into a canonical gRPC code, which loses detail: 400 and 422 both
/// become INVALID_ARGUMENT, 409 AlreadyExists and 409 Conflict become ALREADY_EXISTS and ABORTED. Each code maps
/// to the HTTP status that google.rpc.Code documents as its equivalent; a <c>metav1.Status</c> in
/// <c>protoPayload.response</c>, when present, carries the exact code and is preferred over this table.
/// </remarks>
internal static class GoogleRpcCode
{
    public const int Ok = 0;

    public static bool TryToHttpStatus(long code, out int httpStatus)
    {
        httpStatus = code switch
        {
            0 => 200,   // OK
            1 => 499,   // CANCELLED: the client went away (a watch closed early)
            2 => 500,   // UNKNOWN
            3 => 400,   // INVALID_ARGUMENT: also what 422 Invalid becomes; the Status body tells them apart
            4 => 504,   // DEADLINE_EXCEEDED
            5 => 404,   // NOT_FOUND
            6 => 409,   // ALREADY_EXISTS
            7 => 403,   // PERMISSION_DENIED
            8 => 429,   // RESOURCE_EXHAUSTED
            9 => 400,   // FAILED_PRECONDITION
            10 => 409,  // ABORTED: optimistic-concurrency conflicts
            11 => 400,  // OUT_OF_RANGE
            12 => 501,  // UNIMPLEMENTED
            13 => 500,  // INTERNAL
            14 => 503,  // UNAVAILABLE
            15 => 500,  // DATA_LOSS
            16 => 401,  // UNAUTHENTICATED
            _ => 0,
        };
        return httpStatus != 0;
    }
}
