using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Core.Reading.Envelopes;

namespace Auditrail.Core.Tests.Reading.Envelopes;

public class GkeLogEntryMapperTests
{
    private const string AuditLogType = "type.googleapis.com/google.cloud.audit.AuditLog";

    private static readonly string _fixturePath =
        Path.Combine(AppContext.BaseDirectory, "data", "cloud-envelopes", "gke-logging-export.json");

    // ---- the fixture: a gcloud logging read --format json export ----

    [Fact]
    public void Fixture_every_entry_is_recognised_and_maps_to_an_event()
    {
        using var export = JsonDocument.Parse(File.ReadAllBytes(_fixturePath));
        Assert.Equal(10, export.RootElement.GetArrayLength());
        foreach (var entry in export.RootElement.EnumerateArray())
        {
            Assert.True(GkeLogEntryMapper.IsGkeLogEntry(entry));
            var ev = Map(entry);
            Assert.Equal("Event", ev.GetProperty("kind").GetString());
            Assert.Equal("audit.k8s.io/v1", ev.GetProperty("apiVersion").GetString());
            Assert.Equal("ResponseComplete", ev.GetProperty("stage").GetString());
            Assert.Equal(entry.GetProperty("operation").GetProperty("id").GetString(), ev.GetProperty("auditID").GetString());
            Assert.Equal("payments-prod", Annotation(ev, "auditrail.io/cluster"));
        }
    }

    [Theory]
    [InlineData("8f6b0c1e-2d4a-4e57-9c3b-5a7e1f2d9b40", "create", "/api/v1/namespaces/payments/pods", 201, "RequestResponse", "alice@example.com")]
    [InlineData("c2e41d07-58b3-4a9f-8e1c-6d0f73a9b215", "get", "/api/v1/namespaces/payments/secrets/db-credentials", 200, "Metadata", "system:serviceaccount:payments:ci-deployer")]
    [InlineData("5d9e2b61-0f47-4c83-b1a2-94e7c3d8f026", "create", "/api/v1/namespaces/payments/pods/api-7d9c6b5f4-x2kqp/exec", 101, "Metadata", "alice@example.com")]
    [InlineData("e7a3f9c4-1b26-4d08-9f5e-2c8b0a6d7e13", "list", "/api/v1/namespaces/kube-system/secrets", 403, "Metadata", "bob@example.com")]
    [InlineData("41b8d2f3-6c95-4e7a-a0d4-83f1e5b29c67", "delete", "/api/v1/namespaces/staging-old", 200, "RequestResponse", "carol@example.com")]
    [InlineData("a90c5e7b-24f1-4b3d-86e9-1d7f0c4a5b38", "create", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", 201, "RequestResponse", "carol@example.com")]
    [InlineData("3e7f1a9d-b045-4c2e-9d8a-57c6e0b4f1a2", "list", "/api/v1/namespaces/payments/configmaps", 200, "Metadata", "dave@example.com")]
    [InlineData("b6d04f82-7a3e-4915-8c2b-e0a9f5d1c364", "patch", "/apis/apps/v1/namespaces/payments/deployments/api/scale", 200, "RequestResponse", "alice@example.com")]
    [InlineData("0c4a8e6f-93d2-4b71-a5f0-d8e2b1c7a943", "get", "/.env", 403, "Metadata", "system:anonymous")]
    [InlineData("d8f25b39-4e1c-47a6-b3d7-1f9c0e6a2b85", "create", "/api/v1/namespaces/payments/configmaps", 409, "RequestResponse", "system:serviceaccount:payments:ci-deployer")]
    public void Fixture_entry_maps_to_the_request_it_records(string auditId, string verb, string requestUri, int code, string level, string username)
    {
        var ev = FixtureEvent(auditId);
        Assert.Equal(verb, ev.GetProperty("verb").GetString());
        Assert.Equal(requestUri, ev.GetProperty("requestURI").GetString());
        Assert.Equal(code, ev.GetProperty("responseStatus").GetProperty("code").GetInt32());
        Assert.Equal(level, ev.GetProperty("level").GetString());
        Assert.Equal(username, ev.GetProperty("user").GetProperty("username").GetString());
    }

    [Fact]
    public void Fixture_impersonated_request_keeps_the_caller_as_user_and_the_target_as_impersonatedUser()
    {
        var ev = FixtureEvent("3e7f1a9d-b045-4c2e-9d8a-57c6e0b4f1a2");
        Assert.Equal("dave@example.com", ev.GetProperty("user").GetProperty("username").GetString());
        Assert.Equal("system:serviceaccount:payments:ci-deployer", ev.GetProperty("impersonatedUser").GetProperty("username").GetString());
    }

    [Fact]
    public void Fixture_conflict_takes_code_reason_and_message_from_the_Status_response()
    {
        var status = FixtureEvent("d8f25b39-4e1c-47a6-b3d7-1f9c0e6a2b85").GetProperty("responseStatus");
        Assert.Equal(409, status.GetProperty("code").GetInt32());
        Assert.Equal("AlreadyExists", status.GetProperty("reason").GetString());
        Assert.Equal("Failure", status.GetProperty("status").GetString());
        Assert.Equal("configmaps \"api-config\" already exists", status.GetProperty("message").GetString());
        Assert.Equal("configmaps", status.GetProperty("details").GetProperty("kind").GetString());
    }

    // ---- recognition ----

    [Fact]
    public void IsGkeLogEntry_accepts_an_AuditLog_payload_or_the_k8s_io_service()
    {
        Assert.True(GkeLogEntryMapper.IsGkeLogEntry(Parse("""{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog"}}""")));
        Assert.True(GkeLogEntryMapper.IsGkeLogEntry(Parse("""{"protoPayload":{"serviceName":"k8s.io"}}""")));
    }

    [Theory]
    [InlineData("""{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x"}""")]
    [InlineData("""{"protoPayload":"k8s.io"}""")]
    [InlineData("""{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.Other","serviceName":"compute.googleapis.com"}}""")]
    [InlineData("""{"jsonPayload":{"serviceName":"k8s.io"}}""")]
    [InlineData("""[{"protoPayload":{"serviceName":"k8s.io"}}]""")]
    [InlineData("\"k8s.io\"")]
    public void IsGkeLogEntry_rejects_other_shapes(string json) =>
        Assert.False(GkeLogEntryMapper.IsGkeLogEntry(Parse(json)));

    // ---- identity of the record ----

    [Fact]
    public void AuditId_is_the_operation_id_and_a_different_insertId_is_kept_as_an_annotation()
    {
        var entry = Entry();
        entry["insertId"] = "9rjoqfe3k2xm";
        var ev = Map(entry);
        Assert.Equal("op-1", ev.GetProperty("auditID").GetString());
        Assert.Equal("9rjoqfe3k2xm", Annotation(ev, "auditrail.io/gcp-insert-id"));
    }

    [Fact]
    public void AuditId_falls_back_to_insertId_without_an_operation()
    {
        var entry = Entry();
        entry.Remove("operation");
        var ev = Map(entry);
        Assert.Equal("id-1", ev.GetProperty("auditID").GetString());
        Assert.Null(Annotation(ev, "auditrail.io/gcp-insert-id"));
    }

    [Fact]
    public void Event_has_the_audit_k8s_io_v1_type_and_completes_its_request()
    {
        var ev = Map(Entry());
        Assert.Equal("Event", ev.GetProperty("kind").GetString());
        Assert.Equal("audit.k8s.io/v1", ev.GetProperty("apiVersion").GetString());
        Assert.Equal("ResponseComplete", ev.GetProperty("stage").GetString());
    }

    [Fact]
    public void An_entry_that_is_not_the_last_of_its_operation_is_the_start_of_a_long_running_request()
    {
        var entry = Entry("io.k8s.core.v1.pods.watch", "core/v1/namespaces/default/pods");
        entry["operation"]!["last"] = false;
        Assert.Equal("ResponseStarted", Map(entry).GetProperty("stage").GetString());
    }

    [Fact]
    public void Operation_flags_written_as_strings_are_understood()
    {
        var entry = Entry();
        entry["operation"]!["last"] = "false";
        Assert.Equal("ResponseStarted", Map(entry).GetProperty("stage").GetString());
    }

    [Theory]
    [InlineData(false, false, "Metadata")]
    [InlineData(true, false, "Request")]
    [InlineData(false, true, "RequestResponse")]
    [InlineData(true, true, "RequestResponse")]
    public void Level_is_the_lowest_one_that_explains_the_bodies_present(bool request, bool response, string level)
    {
        var entry = Entry("io.k8s.core.v1.pods.update", "core/v1/namespaces/default/pods/nginx");
        if (request)
        {
            entry["protoPayload"]!["request"] = new JsonObject { ["@type"] = "core.k8s.io/v1.Pod", ["kind"] = "Pod" };
        }

        if (response)
        {
            entry["protoPayload"]!["response"] = new JsonObject { ["@type"] = "core.k8s.io/v1.Pod", ["kind"] = "Pod" };
        }

        Assert.Equal(level, Map(entry).GetProperty("level").GetString());
    }

    // ---- verb, objectRef and requestURI ----

    [Fact]
    public void Namespaced_object_gets_its_objectRef_and_uri()
    {
        var ev = Map(Entry("io.k8s.core.v1.pods.get", "core/v1/namespaces/default/pods/nginx"));
        Assert.Equal("get", ev.GetProperty("verb").GetString());
        Assert.Equal("/api/v1/namespaces/default/pods/nginx", ev.GetProperty("requestURI").GetString());
        var objectRef = ev.GetProperty("objectRef");
        Assert.Equal("pods", objectRef.GetProperty("resource").GetString());
        Assert.Equal("default", objectRef.GetProperty("namespace").GetString());
        Assert.Equal("nginx", objectRef.GetProperty("name").GetString());
        Assert.Equal("v1", objectRef.GetProperty("apiVersion").GetString());
        Assert.False(objectRef.TryGetProperty("apiGroup", out _), "kube-apiserver omits apiGroup for the core group");
        Assert.False(objectRef.TryGetProperty("subresource", out _));
    }

    [Fact]
    public void Group_with_dots_is_read_from_the_resource_name_for_a_cluster_scoped_object()
    {
        var ev = Map(Entry("io.k8s.authorization.rbac.v1.clusterroles.delete", "rbac.authorization.k8s.io/v1/clusterroles/foo"));
        Assert.Equal("delete", ev.GetProperty("verb").GetString());
        Assert.Equal("/apis/rbac.authorization.k8s.io/v1/clusterroles/foo", ev.GetProperty("requestURI").GetString());
        var objectRef = ev.GetProperty("objectRef");
        Assert.Equal("rbac.authorization.k8s.io", objectRef.GetProperty("apiGroup").GetString());
        Assert.Equal("v1", objectRef.GetProperty("apiVersion").GetString());
        Assert.Equal("clusterroles", objectRef.GetProperty("resource").GetString());
        Assert.Equal("foo", objectRef.GetProperty("name").GetString());
        Assert.False(objectRef.TryGetProperty("namespace", out _));
    }

    [Fact]
    public void Subresource_comes_from_the_method_and_the_resource_name()
    {
        var ev = Map(Entry("io.k8s.apps.v1.deployments.scale.update", "apps/v1/namespaces/x/deployments/y/scale"));
        Assert.Equal("update", ev.GetProperty("verb").GetString());
        Assert.Equal("/apis/apps/v1/namespaces/x/deployments/y/scale", ev.GetProperty("requestURI").GetString());
        var objectRef = ev.GetProperty("objectRef");
        Assert.Equal("apps", objectRef.GetProperty("apiGroup").GetString());
        Assert.Equal("deployments", objectRef.GetProperty("resource").GetString());
        Assert.Equal("x", objectRef.GetProperty("namespace").GetString());
        Assert.Equal("y", objectRef.GetProperty("name").GetString());
        Assert.Equal("scale", objectRef.GetProperty("subresource").GetString());
    }

    [Fact]
    public void Namespace_object_itself_has_no_namespace()
    {
        var ev = Map(Entry("io.k8s.core.v1.namespaces.delete", "core/v1/namespaces/foo"));
        var objectRef = ev.GetProperty("objectRef");
        Assert.Equal("namespaces", objectRef.GetProperty("resource").GetString());
        Assert.Equal("foo", objectRef.GetProperty("name").GetString());
        Assert.False(objectRef.TryGetProperty("namespace", out _));
        Assert.Equal("/api/v1/namespaces/foo", ev.GetProperty("requestURI").GetString());
    }

    [Fact]
    public void Namespace_subresource_is_told_apart_from_a_collection_inside_the_namespace()
    {
        var finalize = Map(Entry("io.k8s.core.v1.namespaces.finalize.update", "core/v1/namespaces/foo/finalize")).GetProperty("objectRef");
        Assert.Equal("namespaces", finalize.GetProperty("resource").GetString());
        Assert.Equal("foo", finalize.GetProperty("name").GetString());
        Assert.Equal("finalize", finalize.GetProperty("subresource").GetString());

        var pods = Map(Entry("io.k8s.core.v1.pods.list", "core/v1/namespaces/foo/pods")).GetProperty("objectRef");
        Assert.Equal("pods", pods.GetProperty("resource").GetString());
        Assert.Equal("foo", pods.GetProperty("namespace").GetString());
        Assert.False(pods.TryGetProperty("name", out _));
    }

    [Fact]
    public void Create_posts_to_the_collection_and_keeps_the_name_in_objectRef()
    {
        var ev = Map(Entry("io.k8s.core.v1.pods.create", "core/v1/namespaces/default/pods/nginx"));
        Assert.Equal("/api/v1/namespaces/default/pods", ev.GetProperty("requestURI").GetString());
        Assert.Equal("nginx", ev.GetProperty("objectRef").GetProperty("name").GetString());
    }

    [Fact]
    public void Watch_uri_carries_watch_true()
    {
        var ev = Map(Entry("io.k8s.core.v1.configmaps.watch", "core/v1/namespaces/kube-system/configmaps"));
        Assert.Equal("watch", ev.GetProperty("verb").GetString());
        Assert.Equal("/api/v1/namespaces/kube-system/configmaps?watch=true", ev.GetProperty("requestURI").GetString());
    }

    [Fact]
    public void Non_resource_request_has_a_path_and_no_objectRef()
    {
        var ev = Map(Entry("io.k8s.get", "readyz"));
        Assert.Equal("get", ev.GetProperty("verb").GetString());
        Assert.Equal("/readyz", ev.GetProperty("requestURI").GetString());
        Assert.False(ev.TryGetProperty("objectRef", out _));
    }

    [Fact]
    public void Rebuilt_request_uri_is_marked_as_derived()
    {
        var derived = Annotation(Map(Entry()), "auditrail.io/derived-fields")!.Split(',');
        Assert.Contains("requestURI", derived);
        Assert.Equal("gke-cloud-logging", Annotation(Map(Entry()), "auditrail.io/source"));
    }

    // ---- who and from where ----

    [Fact]
    public void User_is_the_principal_and_GKE_exports_no_groups()
    {
        var entry = Entry();
        entry["protoPayload"]!["authenticationInfo"]!["principalEmail"] = "system:serviceaccount:payments:ci-deployer";
        var user = Map(entry).GetProperty("user");
        Assert.Equal("system:serviceaccount:payments:ci-deployer", user.GetProperty("username").GetString());
        Assert.False(user.TryGetProperty("groups", out _));
        Assert.False(Map(entry).TryGetProperty("impersonatedUser", out _));
    }

    [Fact]
    public void Principal_subject_stands_in_when_there_is_no_principal_email()
    {
        var entry = Entry();
        entry["protoPayload"]!["authenticationInfo"] = new JsonObject { ["principalSubject"] = "user:alice@example.com" };
        Assert.Equal("user:alice@example.com", Map(entry).GetProperty("user").GetProperty("username").GetString());
    }

    [Fact]
    public void Missing_authentication_info_gives_an_empty_user_as_for_failed_authentication()
    {
        var entry = Entry();
        entry["protoPayload"]!.AsObject().Remove("authenticationInfo");
        var user = Map(entry).GetProperty("user");
        Assert.Equal(JsonValueKind.Object, user.ValueKind);
        Assert.False(user.TryGetProperty("username", out _));
    }

    [Fact]
    public void Authority_selector_is_the_impersonated_user()
    {
        var entry = Entry();
        entry["protoPayload"]!["authenticationInfo"]!["authoritySelector"] = "admin@example.com";
        var ev = Map(entry);
        Assert.Equal("alice@example.com", ev.GetProperty("user").GetProperty("username").GetString());
        Assert.Equal("admin@example.com", ev.GetProperty("impersonatedUser").GetProperty("username").GetString());
    }

    [Fact]
    public void Service_account_delegation_chain_is_kept_as_an_annotation_not_as_impersonation()
    {
        var entry = Entry();
        entry["protoPayload"]!["authenticationInfo"]!["serviceAccountDelegationInfo"] = new JsonArray(
            new JsonObject { ["firstPartyPrincipal"] = new JsonObject { ["principalEmail"] = "deployer@acme.iam.gserviceaccount.com" } },
            new JsonObject { ["principalSubject"] = "serviceAccount:builder@acme.iam.gserviceaccount.com" });
        var ev = Map(entry);
        Assert.False(ev.TryGetProperty("impersonatedUser", out _));
        Assert.Equal("deployer@acme.iam.gserviceaccount.com,serviceAccount:builder@acme.iam.gserviceaccount.com",
            Annotation(ev, "auditrail.io/gcp-delegation-chain"));
    }

    [Fact]
    public void Caller_ip_and_user_agent_come_from_request_metadata()
    {
        var ev = Map(Entry());
        Assert.Equal(["203.0.113.24"], ev.GetProperty("sourceIPs").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", ev.GetProperty("userAgent").GetString());
    }

    [Fact]
    public void Caller_ip_placeholder_is_kept_out_of_sourceIPs()
    {
        var entry = Entry();
        entry["protoPayload"]!["requestMetadata"]!["callerIp"] = "gce-internal-ip";
        var ev = Map(entry);
        Assert.False(ev.TryGetProperty("sourceIPs", out _));
        Assert.Equal("gce-internal-ip", Annotation(ev, "auditrail.io/gcp-caller-ip"));
    }

    [Fact]
    public void Ipv6_caller_is_a_source_ip()
    {
        var entry = Entry();
        entry["protoPayload"]!["requestMetadata"]!["callerIp"] = "::1";
        Assert.Equal("::1", Map(entry).GetProperty("sourceIPs")[0].GetString());
    }

    // ---- outcome ----

    [Theory]
    [InlineData(0, 200)]
    [InlineData(1, 499)]
    [InlineData(2, 500)]
    [InlineData(3, 400)]
    [InlineData(4, 504)]
    [InlineData(5, 404)]
    [InlineData(6, 409)]
    [InlineData(7, 403)]
    [InlineData(8, 429)]
    [InlineData(9, 400)]
    [InlineData(10, 409)]
    [InlineData(11, 400)]
    [InlineData(12, 501)]
    [InlineData(13, 500)]
    [InlineData(14, 503)]
    [InlineData(15, 500)]
    [InlineData(16, 401)]
    public void Rpc_status_code_maps_to_its_http_status(int rpcCode, int httpCode)
    {
        var entry = Entry();
        entry["protoPayload"]!["status"] = new JsonObject { ["code"] = rpcCode, ["message"] = "denied" };
        var status = Map(entry).GetProperty("responseStatus");
        Assert.Equal(httpCode, status.GetProperty("code").GetInt32());
        if (httpCode >= 400)
        {
            Assert.Equal("Failure", status.GetProperty("status").GetString());
            Assert.Equal("denied", status.GetProperty("message").GetString());
        }
        else
        {
            Assert.False(status.TryGetProperty("status", out _));
        }
    }

    [Fact]
    public void Empty_or_missing_status_is_success()
    {
        var entry = Entry();
        Assert.Equal(200, Map(entry).GetProperty("responseStatus").GetProperty("code").GetInt32());
        entry["protoPayload"]!.AsObject().Remove("status");
        Assert.Equal(200, Map(entry).GetProperty("responseStatus").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("io.k8s.core.v1.pods.create", "core/v1/namespaces/default/pods/nginx", 201)]
    [InlineData("io.k8s.core.v1.pods.eviction.create", "core/v1/namespaces/default/pods/nginx/eviction", 201)]
    [InlineData("io.k8s.core.v1.pods.exec.create", "core/v1/namespaces/default/pods/nginx/exec", 101)]
    [InlineData("io.k8s.core.v1.pods.attach.create", "core/v1/namespaces/default/pods/nginx/attach", 101)]
    [InlineData("io.k8s.core.v1.pods.portforward.create", "core/v1/namespaces/default/pods/nginx/portforward", 101)]
    [InlineData("io.k8s.core.v1.pods.log.get", "core/v1/namespaces/default/pods/nginx/log", 200)]
    [InlineData("io.k8s.core.v1.pods.delete", "core/v1/namespaces/default/pods/nginx", 200)]
    public void Success_code_is_what_kube_apiserver_answers_for_the_verb(string method, string resource, int code)
    {
        var ev = Map(Entry(method, resource));
        Assert.Equal(code, ev.GetProperty("responseStatus").GetProperty("code").GetInt32());
        Assert.Contains("responseStatus.code", Annotation(ev, "auditrail.io/derived-fields")!.Split(','));
    }

    [Fact]
    public void Status_response_is_preferred_over_the_rpc_code()
    {
        // GKE writes INVALID_ARGUMENT for both 400 and 422; the Status body says which.
        var entry = Entry("io.k8s.core.v1.pods.create", "core/v1/namespaces/default/pods/nginx");
        entry["protoPayload"]!["status"] = new JsonObject { ["code"] = 3, ["message"] = "Pod \"nginx\" is invalid" };
        entry["protoPayload"]!["response"] = new JsonObject
        {
            ["@type"] = "core.k8s.io/v1.Status", ["apiVersion"] = "v1", ["kind"] = "Status", ["code"] = 422,
            ["reason"] = "Invalid", ["status"] = "Failure", ["message"] = "Pod \"nginx\" is invalid: spec.containers: Required value",
        };
        var ev = Map(entry);
        var status = ev.GetProperty("responseStatus");
        Assert.Equal(422, status.GetProperty("code").GetInt32());
        Assert.Equal("Invalid", status.GetProperty("reason").GetString());
        Assert.Equal("Pod \"nginx\" is invalid: spec.containers: Required value", status.GetProperty("message").GetString());
        Assert.DoesNotContain("responseStatus.code", Annotation(ev, "auditrail.io/derived-fields")!.Split(','));
    }

    [Fact]
    public void Status_response_without_a_code_falls_back_to_the_rpc_code()
    {
        var entry = Entry("io.k8s.batch.v1.jobs.delete", "batch/v1/namespaces/default/jobs/nightly");
        entry["protoPayload"]!["response"] = new JsonObject
        {
            ["@type"] = "core.k8s.io/v1.Status", ["apiVersion"] = "v1", ["kind"] = "Status", ["status"] = "Success",
            ["details"] = new JsonObject { ["group"] = "batch", ["kind"] = "jobs", ["name"] = "nightly" },
        };
        var status = Map(entry).GetProperty("responseStatus");
        Assert.Equal(200, status.GetProperty("code").GetInt32());
        Assert.Equal("Success", status.GetProperty("status").GetString());
        Assert.Equal("nightly", status.GetProperty("details").GetProperty("name").GetString());
    }

    // ---- bodies ----

    [Fact]
    public void Request_and_response_bodies_lose_the_GKE_type_key()
    {
        var entry = Entry("io.k8s.core.v1.pods.create", "core/v1/namespaces/default/pods/nginx");
        entry["protoPayload"]!["request"] = new JsonObject
        {
            ["@type"] = "core.k8s.io/v1.Pod", ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["spec"] = new JsonObject { ["hostPID"] = true },
        };
        entry["protoPayload"]!["response"] = new JsonObject
        {
            ["@type"] = "core.k8s.io/v1.Pod", ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["uid"] = "3c1d9a52" },
        };
        var ev = Map(entry);
        var request = ev.GetProperty("requestObject");
        Assert.False(request.TryGetProperty("@type", out _));
        Assert.True(request.GetProperty("spec").GetProperty("hostPID").GetBoolean());
        Assert.Equal("Pod", request.GetProperty("kind").GetString());
        Assert.False(ev.GetProperty("responseObject").TryGetProperty("@type", out _));
        Assert.Equal("3c1d9a52", ev.GetProperty("responseObject").GetProperty("metadata").GetProperty("uid").GetString());
    }

    [Theory]
    [InlineData("core.k8s.io/v1.Pod", "v1", "Pod")]
    [InlineData("apps.k8s.io/v1.Deployment", "apps/v1", "Deployment")]
    [InlineData("batch.k8s.io/v1.CronJob", "batch/v1", "CronJob")]
    [InlineData("policy.k8s.io/v1.Eviction", "policy/v1", "Eviction")]
    [InlineData("autoscaling.k8s.io/v1.Scale", "autoscaling/v1", "Scale")]
    [InlineData("rbac.authorization.k8s.io/v1.ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding")]
    [InlineData("networking.k8s.io/v1.NetworkPolicy", "networking.k8s.io/v1", "NetworkPolicy")]
    [InlineData("meta.k8s.io/v1.DeleteOptions", "meta.k8s.io/v1", "DeleteOptions")]
    [InlineData("cert-manager.io/v1.Certificate", "cert-manager.io/v1", "Certificate")]
    public void Missing_kind_and_apiVersion_are_restored_from_the_type(string type, string apiVersion, string kind)
    {
        var entry = Entry("io.k8s.core.v1.pods.update", "core/v1/namespaces/default/pods/nginx");
        entry["protoPayload"]!["request"] = new JsonObject { ["@type"] = type, ["metadata"] = new JsonObject() };
        var request = Map(entry).GetProperty("requestObject");
        Assert.Equal(kind, request.GetProperty("kind").GetString());
        Assert.Equal(apiVersion, request.GetProperty("apiVersion").GetString());
        Assert.False(request.TryGetProperty("@type", out _));
    }

    [Fact]
    public void Kind_and_apiVersion_already_in_the_body_win()
    {
        var entry = Entry("io.k8s.core.v1.pods.delete", "core/v1/namespaces/default/pods/nginx");
        entry["protoPayload"]!["request"] = new JsonObject
        {
            ["@type"] = "meta.k8s.io/v1.DeleteOptions", ["apiVersion"] = "meta.k8s.io/__internal", ["kind"] = "DeleteOptions",
        };
        var request = Map(entry).GetProperty("requestObject");
        Assert.Equal("meta.k8s.io/__internal", request.GetProperty("apiVersion").GetString());
        Assert.Single(request.EnumerateObject(), p => p.Name == "kind");
    }

    [Fact]
    public void Patch_body_gets_no_kind()
    {
        var entry = Entry("io.k8s.apps.v1.deployments.patch", "apps/v1/namespaces/default/deployments/api");
        entry["protoPayload"]!["request"] = new JsonObject
        {
            ["@type"] = "k8s.io/Patch", ["spec"] = new JsonObject { ["replicas"] = 3 },
        };
        var request = Map(entry).GetProperty("requestObject");
        Assert.Equal(["spec"], request.EnumerateObject().Select(p => p.Name));
    }

    // ---- time ----

    [Fact]
    public void Timestamps_come_from_the_entry_time_in_microseconds_not_from_ingestion()
    {
        var entry = Entry();
        entry["timestamp"] = "2025-03-14T09:12:03.481927123Z";
        entry["receiveTimestamp"] = "2025-03-14T09:12:09.318265097Z";
        var ev = Map(entry);
        Assert.Equal("2025-03-14T09:12:03.481927Z", ev.GetProperty("requestReceivedTimestamp").GetString());
        Assert.Equal("2025-03-14T09:12:03.481927Z", ev.GetProperty("stageTimestamp").GetString());
    }

    [Theory]
    [InlineData("2025-03-14T09:12:03Z", "2025-03-14T09:12:03.000000Z")]
    [InlineData("2025-03-14T09:12:03.5Z", "2025-03-14T09:12:03.500000Z")]
    [InlineData("2025-03-14T10:12:03.123456+01:00", "2025-03-14T09:12:03.123456Z")]
    public void Timestamps_are_normalised_to_utc_micro_time(string timestamp, string expected)
    {
        var entry = Entry();
        entry["timestamp"] = timestamp;
        Assert.Equal(expected, Map(entry).GetProperty("stageTimestamp").GetString());
    }

    // ---- annotations ----

    [Fact]
    public void Labels_become_annotations_with_the_cluster_they_came_from()
    {
        var entry = Entry();
        entry["labels"] = new JsonObject
        {
            ["authorization.k8s.io/decision"] = "allow",
            ["authorization.k8s.io/reason"] = "access granted by IAM permissions.",
            ["pod-security.kubernetes.io/enforce-policy"] = "privileged:latest",
        };
        var ev = Map(entry);
        Assert.Equal("allow", Annotation(ev, "authorization.k8s.io/decision"));
        Assert.Equal("access granted by IAM permissions.", Annotation(ev, "authorization.k8s.io/reason"));
        Assert.Equal("privileged:latest", Annotation(ev, "pod-security.kubernetes.io/enforce-policy"));
        Assert.Equal("payments-prod", Annotation(ev, "auditrail.io/cluster"));
        Assert.Equal("acme-payments-prod", Annotation(ev, "auditrail.io/gcp-project"));
        Assert.Equal("europe-west1", Annotation(ev, "auditrail.io/gcp-location"));
        Assert.DoesNotContain("annotations.authorization.k8s.io/decision", Annotation(ev, "auditrail.io/derived-fields")!.Split(','));
    }

    [Theory]
    [InlineData("""[{"granted":true,"permission":"io.k8s.core.v1.pods.get"}]""", "allow")]
    [InlineData("""[{"permission":"io.k8s.core.v1.pods.get"}]""", "forbid")]
    [InlineData("""[{"granted":true,"permission":"a"},{"granted":false,"permission":"b"}]""", "forbid")]
    public void Decision_is_derived_from_authorization_info_when_labels_lack_it(string authorizationInfo, string decision)
    {
        var entry = Entry();
        entry["protoPayload"]!["authorizationInfo"] = JsonNode.Parse(authorizationInfo);
        var ev = Map(entry);
        Assert.Equal(decision, Annotation(ev, "authorization.k8s.io/decision"));
        Assert.Contains("annotations.authorization.k8s.io/decision", Annotation(ev, "auditrail.io/derived-fields")!.Split(','));
    }

    [Fact]
    public void Decision_label_wins_over_authorization_info()
    {
        var entry = Entry();
        entry["labels"] = new JsonObject { ["authorization.k8s.io/decision"] = "allow" };
        entry["protoPayload"]!["authorizationInfo"] = JsonNode.Parse("""[{"permission":"io.k8s.core.v1.pods.get"}]""");
        Assert.Equal("allow", Annotation(Map(entry), "authorization.k8s.io/decision"));
    }

    [Fact]
    public void Without_labels_or_authorization_info_there_is_no_decision()
    {
        Assert.Null(Annotation(Map(Entry()), "authorization.k8s.io/decision"));
    }

    // ---- refusals: each names the JSON path, writes nothing and never throws ----

    [Theory]
    [InlineData("$", "[]")]
    [InlineData("$.protoPayload: missing", """{"timestamp":"2025-03-14T09:12:03Z"}""")]
    [InlineData("$.protoPayload: expected an object", """{"protoPayload":"x"}""")]
    public void Entry_that_is_not_a_log_entry_is_refused(string errorStart, string json)
    {
        Assert.False(TryMap(JsonNode.Parse(json)!, out _, out var error));
        Assert.StartsWith(errorStart, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("protoPayload.methodName", null, "$.protoPayload.methodName: missing")]
    [InlineData("protoPayload.methodName", 42, "$.protoPayload.methodName: expected a string, got the number 42")]
    [InlineData("protoPayload.methodName", "io.k8s.core.v1", "$.protoPayload.methodName: ")]
    [InlineData("protoPayload.methodName", "io.k8s.core.pods.get", "$.protoPayload.methodName: ")]
    [InlineData("protoPayload.methodName", "io.k8s..v1.pods.get", "$.protoPayload.methodName: ")]
    [InlineData("protoPayload.methodName", "io.k8s.core.v1.secrets.get", "$.protoPayload.resourceName: resource 'pods'")]
    [InlineData("protoPayload.methodName", "io.k8s.core.v2.pods.get", "$.protoPayload.resourceName: version")]
    [InlineData("protoPayload.resourceName", null, "$.protoPayload.resourceName: missing")]
    [InlineData("protoPayload.resourceName", "core/v1", "$.protoPayload.resourceName: ")]
    [InlineData("protoPayload.resourceName", "core/v1/namespaces/default/pods/nginx/exec/extra", "$.protoPayload.resourceName: ")]
    [InlineData("protoPayload.serviceName", "container.googleapis.com", "$.protoPayload.serviceName: ")]
    [InlineData("timestamp", null, "$.timestamp: missing")]
    [InlineData("timestamp", "yesterday", "$.timestamp: 'yesterday' is not an RFC 3339 time")]
    [InlineData("operation", "op-1", "$.operation: expected an object")]
    [InlineData("operation.last", "maybe", "$.operation.last: expected a boolean")]
    [InlineData("labels", "allow", "$.labels: expected an object")]
    [InlineData("protoPayload.status.code", "seven", "$.protoPayload.status.code: expected an integer")]
    [InlineData("protoPayload.status.code", 42, "$.protoPayload.status.code: 42 is not a google.rpc.Code")]
    [InlineData("protoPayload.status", true, "$.protoPayload.status: expected an object")]
    [InlineData("protoPayload.authenticationInfo.principalEmail", 7, "$.protoPayload.authenticationInfo.principalEmail: expected a string")]
    [InlineData("protoPayload.authenticationInfo", "alice", "$.protoPayload.authenticationInfo: expected an object")]
    [InlineData("protoPayload.requestMetadata.callerIp", false, "$.protoPayload.requestMetadata.callerIp: expected a string")]
    [InlineData("protoPayload.authorizationInfo", "granted", "$.protoPayload.authorizationInfo: expected an array")]
    [InlineData("resource.labels.cluster_name", 1, "$.resource.labels.cluster_name: expected a string")]
    public void Broken_field_is_refused_with_its_path(string path, object? value, string errorStart)
    {
        var entry = Entry();
        Set(entry, path, value);
        Assert.False(TryMap(entry, out _, out var error), "the entry should have been refused");
        Assert.StartsWith(errorStart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_that_is_not_a_string_is_refused_with_a_bracketed_path()
    {
        var entry = Entry();
        entry["labels"] = new JsonObject { ["authorization.k8s.io/decision"] = true };
        Assert.False(TryMap(entry, out _, out var error));
        Assert.StartsWith("$.labels['authorization.k8s.io/decision']: expected a string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_operation_id_and_insert_id_is_refused()
    {
        var entry = Entry();
        entry.Remove("insertId");
        entry["operation"]!.AsObject().Remove("id");
        Assert.False(TryMap(entry, out _, out var error));
        Assert.Equal("$.operation.id: missing, and so is $.insertId", error);
    }

    [Fact]
    public void Refused_entry_leaves_the_writer_untouched()
    {
        var entry = Entry();
        Set(entry, "timestamp", "not a time");
        using var document = JsonDocument.Parse(entry.ToJsonString());
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        Assert.False(GkeLogEntryMapper.TryWriteEvent(document.RootElement, writer, out _));
        Assert.Equal(0, writer.BytesPending + writer.BytesCommitted);
    }

    [Fact]
    public void No_field_of_any_type_makes_the_mapper_throw()
    {
        // Replace every field of every fixture entry, in turn, with each wrong JSON type or remove it:
        // the mapper must either write one valid Event or refuse with a JSON path.
        using var export = JsonDocument.Parse(File.ReadAllBytes(_fixturePath));
        JsonNode?[] replacements = [null, 42, "x", true, new JsonArray(), new JsonObject()];
        var attempts = 0;
        foreach (var original in export.RootElement.EnumerateArray())
        {
            var template = JsonNode.Parse(original.GetRawText())!.AsObject();
            foreach (var path in Paths(template, "", depth: 3))
            {
                foreach (var replacement in replacements.Append(Removed))
                {
                    var mutated = JsonNode.Parse(template.ToJsonString())!.AsObject();
                    Set(mutated, path, replacement is null ? null : ReferenceEquals(replacement, Removed) ? Removed : replacement.DeepClone());
                    if (TryMap(mutated, out var ev, out var error))
                    {
                        Assert.Equal("Event", ev.GetProperty("kind").GetString());
                    }
                    else
                    {
                        Assert.StartsWith("$", error, StringComparison.Ordinal);
                    }

                    attempts++;
                }
            }
        }

        Assert.True(attempts > 1000, $"only {attempts} mutations were tried");
    }

    // ---- helpers ----

    private static readonly JsonNode Removed = new JsonObject { ["__removed__"] = true };

    private static JsonObject Entry(string method = "io.k8s.core.v1.pods.get", string resource = "core/v1/namespaces/default/pods/nginx") => new()
    {
        ["insertId"] = "id-1",
        ["logName"] = "projects/acme-payments-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
        ["operation"] = new JsonObject { ["first"] = true, ["id"] = "op-1", ["last"] = true, ["producer"] = "k8s.io" },
        ["protoPayload"] = new JsonObject
        {
            ["@type"] = AuditLogType,
            ["authenticationInfo"] = new JsonObject { ["principalEmail"] = "alice@example.com" },
            ["methodName"] = method,
            ["requestMetadata"] = new JsonObject
            {
                ["callerIp"] = "203.0.113.24",
                ["callerSuppliedUserAgent"] = "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
            },
            ["resourceName"] = resource,
            ["serviceName"] = "k8s.io",
            ["status"] = new JsonObject(),
        },
        ["receiveTimestamp"] = "2025-03-14T09:12:09.318265097Z",
        ["resource"] = new JsonObject
        {
            ["labels"] = new JsonObject
            {
                ["cluster_name"] = "payments-prod", ["location"] = "europe-west1", ["project_id"] = "acme-payments-prod",
            },
            ["type"] = "k8s_cluster",
        },
        ["timestamp"] = "2025-03-14T09:12:03.481927Z",
    };

    /// <summary>Sets a dotted path; null writes JSON null, <see cref="Removed"/> removes the property.</summary>
    private static void Set(JsonObject root, string path, object? value)
    {
        var names = path.Split('.');
        JsonNode node = root;
        foreach (var name in names[..^1])
        {
            node = node[name] ??= new JsonObject();
        }

        var parent = node.AsObject();
        if (value is null && path is "protoPayload.methodName" or "protoPayload.resourceName" or "timestamp")
        {
            // For required fields "null" in a test case means absent, the common real-world break.
            parent.Remove(names[^1]);
            return;
        }

        if (ReferenceEquals(value, Removed))
        {
            parent.Remove(names[^1]);
            return;
        }

        parent[names[^1]] = value switch
        {
            null => null,
            JsonNode n => n,
            string s => JsonValue.Create(s),
            bool b => JsonValue.Create(b),
            int i => JsonValue.Create(i),
            _ => throw new ArgumentException($"unsupported value {value}", nameof(value)),
        };
    }

    private static IEnumerable<string> Paths(JsonObject node, string prefix, int depth)
    {
        foreach (var (name, child) in node)
        {
            if (name.Contains('.', StringComparison.Ordinal))
            {
                continue; // label keys: dotted paths cannot address them, the label tests cover them
            }

            var path = prefix.Length == 0 ? name : prefix + "." + name;
            yield return path;
            if (depth > 1 && child is JsonObject inner)
            {
                foreach (var nested in Paths(inner, path, depth - 1))
                {
                    yield return nested;
                }
            }
        }
    }

    private static JsonElement FixtureEvent(string auditId)
    {
        using var export = JsonDocument.Parse(File.ReadAllBytes(_fixturePath));
        var entry = export.RootElement.EnumerateArray()
            .Single(e => e.GetProperty("operation").GetProperty("id").GetString() == auditId);
        return Map(entry);
    }

    private static string? Annotation(JsonElement ev, string key) =>
        ev.TryGetProperty("annotations", out var annotations) && annotations.TryGetProperty(key, out var value) ? value.GetString() : null;

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static JsonElement Map(JsonNode entry) => Map(Parse(entry.ToJsonString()));

    private static JsonElement Map(JsonElement entry)
    {
        Assert.True(TryMap(entry, out var ev, out var error), error);
        return ev;
    }

    private static bool TryMap(JsonNode entry, out JsonElement ev, out string? error) => TryMap(Parse(entry.ToJsonString()), out ev, out error);

    private static bool TryMap(JsonElement entry, out JsonElement ev, out string? error)
    {
        var buffer = new ArrayBufferWriter<byte>();
        bool mapped;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            mapped = GkeLogEntryMapper.TryWriteEvent(entry, writer, out error);
        }

        if (!mapped)
        {
            Assert.Equal(0, buffer.WrittenCount);
            Assert.NotNull(error);
            ev = default;
            return false;
        }

        Assert.Null(error);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        ev = document.RootElement.Clone();
        return true;
    }
}
