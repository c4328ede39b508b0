using System.Text;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// The attributes kube-apiserver's policy checker sees, read from the event as UTF-8 without
/// building strings, and only when a rule left in the running asks for them: the authenticated user
/// (not the impersonated one: the policy is evaluated before impersonation), verb, and either the
/// resource (objectRef) or the path (requestURI up to the query). Read each once.
/// </summary>
internal readonly ref struct RequestAttributes(AuditEvent e)
{
    private static readonly EventText VerbField = new("verb");
    private static readonly EventText UserName = new("user.username");
    private static readonly EventText ApiGroupField = new("objectRef.apiGroup");
    private static readonly EventText ResourceField = new("objectRef.resource");
    private static readonly EventText SubresourceField = new("objectRef.subresource");
    private static readonly EventText NamespaceField = new("objectRef.namespace");
    private static readonly EventText NameField = new("objectRef.name");
    private static readonly EventText RequestUri = new("requestURI");

    public ReadOnlySpan<byte> Verb => VerbField.Read(e);

    public ReadOnlySpan<byte> User => UserName.Read(e);

    /// <summary>The raw JSON array of the user's groups (empty when absent).</summary>
    public ReadOnlySpan<byte> GroupsJson => e.UserGroupsJson;

    /// <summary>False for a failed authentication, audited with an empty user: upstream's checker sees no user at all.</summary>
    public bool HasUser(ReadOnlySpan<byte> user) => !user.IsEmpty || e.UserGroupsJson.Length > 2;

    public bool IsResourceRequest => e.HasObjectRef;

    public ReadOnlySpan<byte> ApiGroup => ApiGroupField.Read(e);

    public ReadOnlySpan<byte> Resource => ResourceField.Read(e);

    public ReadOnlySpan<byte> Subresource => SubresourceField.Read(e);

    public ReadOnlySpan<byte> Namespace => NamespaceField.Read(e);

    /// <summary>The object name in the URL: a create's name comes from its body, after the policy was evaluated.</summary>
    public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> subresource) =>
        subresource.IsEmpty && Verb.SequenceEqual("create"u8) ? default : NameField.Read(e);

    public ReadOnlySpan<byte> Path => PathOf(RequestUri.Read(e));

    /// <summary>The URL path without the query, percent-decoded as Go's URL.Path is.</summary>
    internal static ReadOnlySpan<byte> PathOf(ReadOnlySpan<byte> requestUri)
    {
        var query = requestUri.IndexOf((byte)'?');
        var path = query >= 0 ? requestUri[..query] : requestUri;
        return path.Contains((byte)'%') ? PercentDecode(path) : path;
    }

    private static byte[] PercentDecode(ReadOnlySpan<byte> path)
    {
        var decoded = new byte[path.Length];
        var length = 0;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length && HexValue(path[i + 1]) is >= 0 and var high && HexValue(path[i + 2]) is >= 0 and var low)
            {
                decoded[length++] = (byte)((high << 4) | low);
                i += 2;
            }
            else
            {
                decoded[length++] = path[i];
            }
        }

        return decoded[..length];
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>A string field of the event as UTF-8: straight from its bytes, or encoded in the rare case it was written with escapes.</summary>
    private sealed class EventText(string name)
    {
        private readonly FieldDefinition _field = FieldCatalog.Find(name) ?? throw new ArgumentException($"no field {name}", nameof(name));

        public ReadOnlySpan<byte> Read(AuditEvent e)
        {
            if (_field.Utf8!(e, out var utf8))
            {
                return utf8;
            }

            return _field.Extract(e) is string text ? Encoding.UTF8.GetBytes(text) : default;
        }
    }
}
