using System.Text;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// The attributes kube-apiserver's policy checker sees, read from the event as UTF-8 without
/// building strings: the authenticated user (not the impersonated one: the policy is evaluated before
/// impersonation), verb, and either the resource (objectRef) or the path (requestURI up to the query).
/// </summary>
internal readonly ref struct RequestAttributes
{
    private static readonly EventText Verb = new("verb");
    private static readonly EventText UserName = new("user.username");
    private static readonly EventText ApiGroupField = new("objectRef.apiGroup");
    private static readonly EventText ResourceField = new("objectRef.resource");
    private static readonly EventText SubresourceField = new("objectRef.subresource");
    private static readonly EventText NamespaceField = new("objectRef.namespace");
    private static readonly EventText NameField = new("objectRef.name");
    private static readonly EventText RequestUri = new("requestURI");

    public RequestAttributes(AuditEvent e)
    {
        VerbUtf8 = Verb.Read(e);
        User = UserName.Read(e);
        GroupsJson = e.UserGroupsJson;

        // A failed authentication is audited with an empty user: upstream's checker sees no user at all.
        HasUser = !User.IsEmpty || GroupsJson.Length > 2;
        IsResourceRequest = e.HasObjectRef;
        if (IsResourceRequest)
        {
            ApiGroup = ApiGroupField.Read(e);
            Resource = ResourceField.Read(e);
            Subresource = SubresourceField.Read(e);
            Namespace = NamespaceField.Read(e);

            // The policy is evaluated on the URL's attributes; a create's name comes from its body later.
            Name = Subresource.IsEmpty && VerbUtf8.SequenceEqual("create"u8) ? default : NameField.Read(e);
        }
        else
        {
            Path = PathOf(RequestUri.Read(e));
        }
    }

    public ReadOnlySpan<byte> VerbUtf8 { get; }
    public bool HasUser { get; }
    public ReadOnlySpan<byte> User { get; }

    /// <summary>The raw JSON array of the user's groups (empty when absent).</summary>
    public ReadOnlySpan<byte> GroupsJson { get; }

    public bool IsResourceRequest { get; }
    public ReadOnlySpan<byte> ApiGroup { get; }
    public ReadOnlySpan<byte> Resource { get; }
    public ReadOnlySpan<byte> Subresource { get; }
    public ReadOnlySpan<byte> Namespace { get; }
    public ReadOnlySpan<byte> Name { get; }
    public ReadOnlySpan<byte> Path { get; }

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
