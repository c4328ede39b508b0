namespace Auditrail.Core.Model;

/// <summary>
/// The places in an Event that the parser records as byte ranges. Strings are kept as ranges into the
/// event's UTF-8 bytes and only become <see cref="string"/>s when someone reads them.
/// </summary>
internal enum EventSlot
{
    // JSON strings (range of the content between the quotes, still escaped if Escaped is set).
    ApiVersion,
    AuditId,
    RequestUri,
    Verb,
    UserName,
    UserUid,
    ImpersonatedUserName,
    ImpersonatedUserUid,
    UserAgent,
    FirstSourceIp,
    ObjectResource,
    ObjectNamespace,
    ObjectName,
    ObjectUid,
    ObjectApiGroup,
    ObjectApiVersion,
    ObjectResourceVersion,
    ObjectSubresource,
    StatusStatus,
    StatusReason,
    StatusMessage,
    AuthorizationDecision,
    AuthorizationReason,
    Cluster,

    // Raw JSON values (range from the opening bracket to the closing one).
    User,
    UserGroups,
    UserExtra,
    ImpersonatedUser,
    ImpersonatedUserGroups,
    SourceIps,
    ObjectRef,
    ResponseStatus,
    RequestObject,
    ResponseObject,
    Annotations,

    Count,
}

/// <summary>A range of an event's bytes; <see cref="Length"/> is -1 when the field is absent or null.</summary>
internal readonly record struct Utf8Slot(int Start, int Length, bool Escaped)
{
    public static readonly Utf8Slot Absent = new(0, -1, false);

    public bool IsPresent => Length >= 0;
}
