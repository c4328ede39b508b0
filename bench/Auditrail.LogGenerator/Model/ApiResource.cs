namespace Auditrail.LogGenerator.Model;

/// <summary>A REST resource of the Kubernetes API, with what an audit event and a request URI need to know.</summary>
internal sealed class ApiResource(string resource, string group, string version, string kind, bool namespaced)
{
    public string Resource { get; } = resource;

    /// <summary>Empty for the core group, which objectRef omits.</summary>
    public string Group { get; } = group;

    public string Version { get; } = version;

    public string Kind { get; } = kind;

    public bool Namespaced { get; } = namespaced;

    public string ApiVersion { get; } = group.Length == 0 ? version : group + "/" + version;

    public string PathPrefix { get; } = group.Length == 0 ? "/api/" + version : "/apis/" + group + "/" + version;

    /// <summary>How apiserver errors name the resource: <c>leases.coordination.k8s.io</c>, or just <c>pods</c>.</summary>
    public string GroupResource { get; } = group.Length == 0 ? resource : resource + "." + group;

    /// <summary>How validation errors name the kind: <c>Deployment.apps</c>, or just <c>Pod</c>.</summary>
    public string GroupKind { get; } = group.Length == 0 ? kind : kind + "." + group;

    public override string ToString() => GroupResource;
}

/// <summary>The resources the simulated cluster serves.</summary>
internal static class Api
{
    public static readonly ApiResource Pods = new("pods", "", "v1", "Pod", true);
    public static readonly ApiResource Services = new("services", "", "v1", "Service", true);
    public static readonly ApiResource Endpoints = new("endpoints", "", "v1", "Endpoints", true);
    public static readonly ApiResource ConfigMaps = new("configmaps", "", "v1", "ConfigMap", true);
    public static readonly ApiResource Secrets = new("secrets", "", "v1", "Secret", true);
    public static readonly ApiResource ServiceAccounts = new("serviceaccounts", "", "v1", "ServiceAccount", true);
    public static readonly ApiResource Namespaces = new("namespaces", "", "v1", "Namespace", false);
    public static readonly ApiResource Nodes = new("nodes", "", "v1", "Node", false);
    public static readonly ApiResource Events = new("events", "", "v1", "Event", true);
    public static readonly ApiResource PersistentVolumeClaims = new("persistentvolumeclaims", "", "v1", "PersistentVolumeClaim", true);
    public static readonly ApiResource PersistentVolumes = new("persistentvolumes", "", "v1", "PersistentVolume", false);
    public static readonly ApiResource Deployments = new("deployments", "apps", "v1", "Deployment", true);
    public static readonly ApiResource ReplicaSets = new("replicasets", "apps", "v1", "ReplicaSet", true);
    public static readonly ApiResource StatefulSets = new("statefulsets", "apps", "v1", "StatefulSet", true);
    public static readonly ApiResource DaemonSets = new("daemonsets", "apps", "v1", "DaemonSet", true);
    public static readonly ApiResource Jobs = new("jobs", "batch", "v1", "Job", true);
    public static readonly ApiResource CronJobs = new("cronjobs", "batch", "v1", "CronJob", true);
    public static readonly ApiResource Leases = new("leases", "coordination.k8s.io", "v1", "Lease", true);
    public static readonly ApiResource EndpointSlices = new("endpointslices", "discovery.k8s.io", "v1", "EndpointSlice", true);
    public static readonly ApiResource EventsV1 = new("events", "events.k8s.io", "v1", "Event", true);
    public static readonly ApiResource Ingresses = new("ingresses", "networking.k8s.io", "v1", "Ingress", true);
    public static readonly ApiResource IngressClasses = new("ingressclasses", "networking.k8s.io", "v1", "IngressClass", false);
    public static readonly ApiResource NetworkPolicies = new("networkpolicies", "networking.k8s.io", "v1", "NetworkPolicy", true);
    public static readonly ApiResource Roles = new("roles", "rbac.authorization.k8s.io", "v1", "Role", true);
    public static readonly ApiResource RoleBindings = new("rolebindings", "rbac.authorization.k8s.io", "v1", "RoleBinding", true);
    public static readonly ApiResource ClusterRoles = new("clusterroles", "rbac.authorization.k8s.io", "v1", "ClusterRole", false);
    public static readonly ApiResource ClusterRoleBindings = new("clusterrolebindings", "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", false);
    public static readonly ApiResource TokenReviews = new("tokenreviews", "authentication.k8s.io", "v1", "TokenReview", false);
    public static readonly ApiResource SelfSubjectReviews = new("selfsubjectreviews", "authentication.k8s.io", "v1", "SelfSubjectReview", false);
    public static readonly ApiResource SubjectAccessReviews = new("subjectaccessreviews", "authorization.k8s.io", "v1", "SubjectAccessReview", false);
    public static readonly ApiResource SelfSubjectAccessReviews = new("selfsubjectaccessreviews", "authorization.k8s.io", "v1", "SelfSubjectAccessReview", false);
    public static readonly ApiResource SelfSubjectRulesReviews = new("selfsubjectrulesreviews", "authorization.k8s.io", "v1", "SelfSubjectRulesReview", false);
    public static readonly ApiResource HorizontalPodAutoscalers = new("horizontalpodautoscalers", "autoscaling", "v2", "HorizontalPodAutoscaler", true);
    public static readonly ApiResource PodDisruptionBudgets = new("poddisruptionbudgets", "policy", "v1", "PodDisruptionBudget", true);
    public static readonly ApiResource PodMetrics = new("pods", "metrics.k8s.io", "v1beta1", "PodMetrics", true);
    public static readonly ApiResource CsiDrivers = new("csidrivers", "storage.k8s.io", "v1", "CSIDriver", false);
    public static readonly ApiResource RuntimeClasses = new("runtimeclasses", "node.k8s.io", "v1", "RuntimeClass", false);
    public static readonly ApiResource Certificates = new("certificates", "cert-manager.io", "v1", "Certificate", true);
    public static readonly ApiResource CertificateRequests = new("certificaterequests", "cert-manager.io", "v1", "CertificateRequest", true);
    public static readonly ApiResource ExternalSecrets = new("externalsecrets", "external-secrets.io", "v1beta1", "ExternalSecret", true);
    public static readonly ApiResource Applications = new("applications", "argoproj.io", "v1alpha1", "Application", true);

    /// <summary>What the namespace controller sweeps with deletecollection when a namespace is deleted.</summary>
    public static readonly ApiResource[] NamespacedForCleanup =
    [
        Pods, Services, Endpoints, ConfigMaps, Secrets, ServiceAccounts, Events, PersistentVolumeClaims, Deployments,
        ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, Leases, EndpointSlices, EventsV1, Ingresses,
        NetworkPolicies, Roles, RoleBindings, HorizontalPodAutoscalers, PodDisruptionBudgets, Certificates,
        CertificateRequests,
    ];

    /// <summary>API groups the simulated audit policy logs with bodies (see audit-policy.yaml).</summary>
    public static bool IsKnownGroup(string group) => group is "" or "apps" or "batch" or "rbac.authorization.k8s.io"
        or "networking.k8s.io" or "policy" or "autoscaling" or "authentication.k8s.io" or "authorization.k8s.io";
}
