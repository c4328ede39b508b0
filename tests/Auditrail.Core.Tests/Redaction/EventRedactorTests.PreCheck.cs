using System.Text;
using Auditrail.Core.Redaction;

namespace Auditrail.Core.Tests.Redaction;

public sealed partial class EventRedactorTests
{
    private const string PodWithSecretVolumes = """
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web"},"spec":{"volumes":[
          {"name":"default-token-g2sp7","secret":{"secretName":"default-token-g2sp7","defaultMode":420}},
          {"name":"kube-api-access","projected":{"sources":[{"serviceAccountToken":{"path":"token"}}]}}],
         "containers":[{"name":"web","image":"nginx","env":[{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],
           "volumeMounts":[{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"default-token-g2sp7"}]}]}}
        """;

    [Fact]
    public void PreCheck_passes_over_pods_that_merely_mention_secrets_and_tokens()
    {
        var auditEvent = AuditEvents.Build("create", """{"resource":"pods","namespace":"payments","apiVersion":"v1"}""", PodWithSecretVolumes, PodWithSecretVolumes);

        Assert.False(EventRedactor.MayNeedRedaction(Encoding.UTF8.GetBytes(auditEvent)));
    }

    [Theory]
    [InlineData("""{"objectRef":{"resource":"secrets"}}""")]
    [InlineData("""{"requestObject":{"kind":"SecretList"}}""")]
    [InlineData("""{"requestObject":{"kind" : "SECRET" }}""")]
    [InlineData("""{"objectRef":{"subresource":"token"}}""")]
    [InlineData("""{"objectRef":{"SubResource" :	"Token"}}""")]
    [InlineData("""{"requestObject":{"kind":"TokenReview"}}""")]
    [InlineData("""{"objectRef":{"resource":"tokenreviews"}}""")]
    [InlineData("""{"a":"{\"kind\":\"Secret\"}"}""")]
    [InlineData("""{"a":"{\\\"kind\\\":\\\"Secret\\\"}"}""")]
    [InlineData("""{"annotations":{"x":"BeArEr abc"}}""")]
    [InlineData("""{"requestURI":"/x?a=1&my_token_id=2"}""")]
    [InlineData("""{"requestURI":"/x?client\"secret=2"}""")]
    [InlineData("""{"requestURI":"/x?token\"x=2"}""")]
    [InlineData("""{"requestURI":"/x?PASSWORD=2"}""")]
    [InlineData("""{"requestURI":"/x?%74oken=2"}""")]
    [InlineData("""{"requestObject":{"kind":"\u0053ecret"}}""")]
    [InlineData("""{"requestObject":{"kind":"Se\u0063ret"}}""")]
    [InlineData("""{"requestURI":"/x?token\u003d2"}""")]
    [InlineData("""{"a":"{\u0022kind\u0022:\u0022Secret\u0022}"}""")]
    public void PreCheck_answers_true_for_every_trigger(string json)
    {
        Assert.True(EventRedactor.MayNeedRedaction(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("""{"kind":"ConfigMap","data":{"k":"v"}}""")]
    [InlineData("""{"volumes":[{"secret":{"secretName":"x"}}],"a":{"secret" : 1}}""")]
    [InlineData("""{"requestURI":"/api/v1/namespaces/p/serviceaccounts/token-reader","objectRef":{"resource":"serviceaccounts"}}""")]
    [InlineData("""{"volumes":[{"projected":{"sources":[{"serviceAccountToken":{"path":"token"}}]}}]}""")]
    [InlineData("""{"requestObject":{"kind":"Secrets2"}}""")]
    [InlineData("""{"a":"\u003cb\u003e \u0026 \u00e9"}""")]
    public void PreCheck_answers_false_when_no_trigger_is_present(string json)
    {
        Assert.False(EventRedactor.MayNeedRedaction(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void PreCheck_finds_words_that_straddle_its_internal_chunks()
    {
        for (var padding = 990; padding < 1060; padding++)
        {
            var json = $$$"""{"pad":"{{{new string('x', padding)}}}","kind":"Secret","data":{"k":"v"}}""";

            Assert.True(EventRedactor.MayNeedRedaction(Encoding.UTF8.GetBytes(json)), $"missed with padding {padding}");
        }
    }

    [Fact]
    public void PreCheck_stays_linear_on_many_repeated_words()
    {
        var json = Encoding.UTF8.GetBytes("{\"a\":\"" + string.Concat(Enumerable.Repeat("token-secret-passw ", 200_000)) + "\"}");

        Assert.False(EventRedactor.MayNeedRedaction(json)); // would take minutes if each word rescanned the string
    }

    [Fact]
    public void PreCheck_does_not_allocate()
    {
        var json = Encoding.UTF8.GetBytes(AuditEvents.Build("create", """{"resource":"pods","apiVersion":"v1"}""", PodWithSecretVolumes, PodWithSecretVolumes));
        EventRedactor.MayNeedRedaction(json);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            EventRedactor.MayNeedRedaction(json);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
