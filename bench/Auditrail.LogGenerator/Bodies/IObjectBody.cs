using System.Text.Json;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>
/// The requestObject and responseObject of a write. Bodies read what they need from the request (names,
/// workload, pod, node), so most are stateless singletons; the writer only asks for them at Request level
/// and above.
/// </summary>
internal interface IObjectBody
{
    void WriteRequest(Utf8JsonWriter w, AuditRequest r);

    bool HasResponse(AuditRequest r);

    void WriteResponse(Utf8JsonWriter w, AuditRequest r);
}
