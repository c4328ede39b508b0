using Auditrail.Core.Fields;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Fields;

public class FieldCatalogTests
{
    [Fact]
    public void Names_are_unique_and_every_field_is_documented()
    {
        Assert.Equal(FieldCatalog.All.Count, FieldCatalog.All.Select(f => f.Name).Distinct().Count());
        Assert.All(FieldCatalog.All, f => Assert.True(f.Description.Length > 15, f.Name));
    }

    [Fact]
    public void Every_field_extracts_from_every_corpus_event_without_throwing()
    {
        var events = CollectingHandler.ReadPaths(TestData.Root).Events;
        Assert.True(events.Count > 800);

        foreach (var e in events)
        {
            foreach (var field in FieldCatalog.All)
            {
                _ = field.Extract(e);
            }
        }
    }

    [Fact]
    public void Derived_fields_follow_the_effective_identity()
    {
        var events = CollectingHandler.ReadPaths(TestData.Path("audit-logs", "audit2rbac-demo-2017-v1beta1.jsonl")).Events;
        var impersonated = events.First(e => e.HasImpersonation);

        Assert.Equal("bob", FieldCatalog.Find("identity.name")!.Extract(impersonated));
        Assert.Equal(true, FieldCatalog.Find("identity.impersonated")!.Extract(impersonated));
        Assert.Equal("human", FieldCatalog.Find("identity.kind")!.Extract(impersonated));
        Assert.Equal(true, FieldCatalog.Find("readOnly")!.Extract(impersonated));
    }

    [Fact]
    public void Decision_reason_code_class_and_latency_are_derived()
    {
        var e = CollectingHandler.ReadText(SampleEvents.Event()).Events.Single();

        Assert.Equal("allow", FieldCatalog.Find("authorization.decision")!.Extract(e));
        Assert.Equal("2xx", FieldCatalog.Find("responseCodeClass")!.Extract(e));
        Assert.Equal(2, FieldCatalog.Find("latencyMs")!.Extract(e));
        Assert.Equal("10.0.0.1", FieldCatalog.Find("sourceIP")!.Extract(e));
    }

    [Fact]
    public void A_403_without_annotations_is_a_forbid_decision()
    {
        var json = SampleEvents.Event().Replace(",\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"\"}", string.Empty)
            .Replace("\"code\":200", "\"code\":403");
        var e = CollectingHandler.ReadText(json).Events.Single();

        Assert.Equal("forbid", FieldCatalog.Find("authorization.decision")!.Extract(e));
    }
}
