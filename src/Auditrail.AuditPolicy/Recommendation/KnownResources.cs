namespace Auditrail.AuditPolicy.Recommendation;

/// <summary>
/// API groups of Kubernetes' built-in resources, by plural name: rules name resources without their
/// group (<c>objectRef.resource == 'ingresses'</c>), policies must name the group. Groups seen in the
/// traffic are added to these.
/// </summary>
internal static class KnownResources
{
    private static readonly Dictionary<string, string[]> Groups = new(StringComparer.Ordinal)
    {
        ["pods"] = [""], ["services"] = [""], ["configmaps"] = [""], ["secrets"] = [""], ["serviceaccounts"] = [""], ["namespaces"] = [""],
        ["nodes"] = [""], ["endpoints"] = [""], ["events"] = ["", "events.k8s.io"], ["persistentvolumes"] = [""], ["persistentvolumeclaims"] = [""],
        ["replicationcontrollers"] = [""], ["limitranges"] = [""], ["resourcequotas"] = [""], ["podtemplates"] = [""],
        ["deployments"] = ["apps"], ["statefulsets"] = ["apps"], ["daemonsets"] = ["apps"], ["replicasets"] = ["apps"], ["controllerrevisions"] = ["apps"],
        ["jobs"] = ["batch"], ["cronjobs"] = ["batch"],
        ["ingresses"] = ["networking.k8s.io"], ["networkpolicies"] = ["networking.k8s.io"], ["ingressclasses"] = ["networking.k8s.io"],
        ["roles"] = ["rbac.authorization.k8s.io"], ["rolebindings"] = ["rbac.authorization.k8s.io"],
        ["clusterroles"] = ["rbac.authorization.k8s.io"], ["clusterrolebindings"] = ["rbac.authorization.k8s.io"],
        ["certificatesigningrequests"] = ["certificates.k8s.io"],
        ["mutatingwebhookconfigurations"] = ["admissionregistration.k8s.io"], ["validatingwebhookconfigurations"] = ["admissionregistration.k8s.io"],
        ["validatingadmissionpolicies"] = ["admissionregistration.k8s.io"], ["validatingadmissionpolicybindings"] = ["admissionregistration.k8s.io"],
        ["mutatingadmissionpolicies"] = ["admissionregistration.k8s.io"], ["mutatingadmissionpolicybindings"] = ["admissionregistration.k8s.io"],
        ["customresourcedefinitions"] = ["apiextensions.k8s.io"], ["apiservices"] = ["apiregistration.k8s.io"],
        ["tokenreviews"] = ["authentication.k8s.io"], ["selfsubjectreviews"] = ["authentication.k8s.io"],
        ["subjectaccessreviews"] = ["authorization.k8s.io"], ["selfsubjectaccessreviews"] = ["authorization.k8s.io"], ["localsubjectaccessreviews"] = ["authorization.k8s.io"],
        ["leases"] = ["coordination.k8s.io"], ["endpointslices"] = ["discovery.k8s.io"],
        ["horizontalpodautoscalers"] = ["autoscaling"], ["poddisruptionbudgets"] = ["policy"], ["priorityclasses"] = ["scheduling.k8s.io"],
        ["storageclasses"] = ["storage.k8s.io"], ["volumeattachments"] = ["storage.k8s.io"], ["csidrivers"] = ["storage.k8s.io"], ["csinodes"] = ["storage.k8s.io"],
        ["runtimeclasses"] = ["node.k8s.io"], ["flowschemas"] = ["flowcontrol.apiserver.k8s.io"], ["prioritylevelconfigurations"] = ["flowcontrol.apiserver.k8s.io"],
    };

    public static IReadOnlyList<string> GroupsOf(string resource) => Groups.GetValueOrDefault(resource) ?? [];
}
