using System.Text.Encodings.Web;
using System.Text.Json;

namespace Auditrail.Cli.Output;

/// <summary>
/// How the CLI writes JSON for people and pipelines: quotes, apostrophes and non-ASCII text stay as they
/// are (<c>"restricted:latest"</c>, not <c>\u0022restricted:latest\u0022</c>). The default encoder escapes
/// them for embedding in HTML, which a terminal or <c>jq</c> does not need; control characters are
/// still escaped.
/// </summary>
public static class JsonOutput
{
    public static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };
}
