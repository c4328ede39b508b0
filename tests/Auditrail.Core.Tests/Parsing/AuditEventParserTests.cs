using System.Text;
using Auditrail.Core.Model;
using Auditrail.Core.Parsing;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Parsing;

public class AuditEventParserTests
{
    private static (ParseResult Result, AuditEvent Event) Parse(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var e = new AuditEvent();
        return (AuditEventParser.Parse(bytes, 0, bytes.Length, e), e);
    }

    [Fact]
    public void Every_field_of_a_full_event_is_read()
    {
        var json = """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"id-1","stage":"ResponseComplete",
             "requestURI":"/api/v1/namespaces/ns/pods/p/exec?command=sh","verb":"create",
             "user":{"username":"alice","uid":"u-1","groups":["g1","system:authenticated"],"extra":{"scopes":["a"]}},
             "impersonatedUser":{"username":"system:serviceaccount:ns:sa","groups":["system:serviceaccounts"]},
             "sourceIPs":["203.0.113.5","10.0.0.1"],"userAgent":"kubectl/v1.30.2",
             "objectRef":{"resource":"pods","namespace":"ns","name":"p","uid":"o-1","apiGroup":"","apiVersion":"v1","resourceVersion":"42","subresource":"exec"},
             "responseStatus":{"metadata":{},"status":"Failure","reason":"Forbidden","message":"nope","code":403},
             "requestObject":{"kind":"PodExecOptions"},"responseObject":{"kind":"Status"},
             "requestReceivedTimestamp":"2024-05-01T10:00:00.123456Z","stageTimestamp":"2024-05-01T10:00:00.223456Z",
             "annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":"no rule","auditrail.io/cluster":"prod"}}
            """;

        var (result, e) = Parse(json);

        Assert.Equal(ParseOutcome.Event, result.Outcome);
        Assert.Equal(AuditLevel.RequestResponse, e.Level);
        Assert.Equal(AuditStage.ResponseComplete, e.Stage);
        Assert.Equal("id-1", e.AuditId);
        Assert.Equal("create", e.Verb);
        Assert.Equal("/api/v1/namespaces/ns/pods/p/exec?command=sh", e.RequestUri);
        Assert.Equal("alice", e.UserName);
        Assert.Equal("u-1", e.UserUid);
        Assert.Equal(["g1", "system:authenticated"], e.UserGroups);
        Assert.Equal("""{"scopes":["a"]}""", Encoding.UTF8.GetString(e.UserExtraJson));
        Assert.Equal("system:serviceaccount:ns:sa", e.ImpersonatedUserName);
        Assert.Equal(["system:serviceaccounts"], e.ImpersonatedUserGroups);
        Assert.Equal("203.0.113.5", e.SourceIp);
        Assert.Equal(["203.0.113.5", "10.0.0.1"], e.SourceIps);
        Assert.Equal("kubectl/v1.30.2", e.UserAgent);
        Assert.Equal(("pods", "ns", "p", "o-1", "", "v1", "42", "exec"), (e.Resource, e.Namespace, e.Name, e.ObjectUid, e.ApiGroup, e.ObjectApiVersion, e.ResourceVersion, e.Subresource));
        Assert.Equal(403, e.ResponseCode);
        Assert.Equal(("Failure", "Forbidden", "nope"), (e.ResponseStatus, e.ResponseReason, e.ResponseMessage));
        Assert.Equal("""{"kind":"PodExecOptions"}""", Encoding.UTF8.GetString(e.RequestObjectJson));
        Assert.Equal("""{"kind":"Status"}""", Encoding.UTF8.GetString(e.ResponseObjectJson));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234560), e.RequestReceivedTimestamp);
        Assert.Equal(("forbid", "no rule", "prod"), (e.AuthorizationDecision, e.AuthorizationReason, e.Cluster));
        Assert.Equal(3, e.Annotations.Count);
    }

    [Fact]
    public void Escaped_strings_are_decoded_on_demand()
    {
        var (_, e) = Parse(SampleEvents.Event().Replace("\"alice\"", "\"al\\u0069ce \\\"the admin\\\"\""));

        Assert.Equal("alice \"the admin\"", e.UserName);
    }

    [Fact]
    public void Null_fields_are_absent()
    {
        var (result, e) = Parse("""{"level":"Metadata","auditID":"a","stage":"Panic","verb":"get","user":null,"objectRef":null,"responseStatus":null,"annotations":null,"userAgent":null}""");

        Assert.Equal(ParseOutcome.Event, result.Outcome);
        Assert.Null(e.UserName);
        Assert.False(e.HasObjectRef);
        Assert.Equal(0, e.ResponseCode);
        Assert.Null(e.UserAgent);
        Assert.Empty(e.Annotations);
    }

    [Fact]
    public void Later_duplicate_keys_win_as_in_go()
    {
        var (_, e) = Parse(SampleEvents.Event(verb: "get", extra: ",\"verb\":\"delete\""));

        Assert.Equal("delete", e.Verb);
    }

    [Fact]
    public void An_event_list_is_not_an_event()
    {
        var (result, _) = Parse("""{"kind":"EventList","items":[]}""");

        Assert.Equal(ParseOutcome.NotAnEvent, result.Outcome);
    }

    [Fact]
    public void Trailing_content_after_the_event_is_invalid()
    {
        var (result, _) = Parse(SampleEvents.Event() + " {}");

        Assert.Equal(ParseOutcome.Invalid, result.Outcome);
    }

    [Fact]
    public void Detached_copy_survives_reuse_of_the_original()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleEvents.Event("first"));
        var e = new AuditEvent();
        AuditEventParser.Parse(bytes, 0, bytes.Length, e);
        var kept = e.Detach();

        var other = Encoding.UTF8.GetBytes(SampleEvents.Event("second"));
        AuditEventParser.Parse(other, 0, other.Length, e);
        Array.Fill(bytes, (byte)'x');

        Assert.Equal("first", kept.AuditId);
        Assert.Equal("second", e.AuditId);
        Assert.Equal(["dev", "system:authenticated"], kept.UserGroups);
    }
}
