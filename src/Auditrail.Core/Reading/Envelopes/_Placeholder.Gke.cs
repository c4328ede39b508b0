// TEMPORARY while the GKE mapper lands; deleted before commit.
using System.Text.Json;
namespace Auditrail.Core.Reading.Envelopes;
internal static class GkeLogEntryMapper
{
    public static bool TryWriteEvent(JsonElement logEntry, Utf8JsonWriter writer, out string? error) { error = "not yet"; return false; }
}
