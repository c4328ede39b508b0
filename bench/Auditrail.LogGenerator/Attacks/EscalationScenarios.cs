using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;
using Auditrail.LogGenerator.Traffic;

namespace Auditrail.LogGenerator.Attacks;

/// <summary>Attacks from inside: a compromised workload or account reaching for secrets, nodes and cluster-admin.</summary>
internal sealed partial class AttackTraffic
{
    private const string AttackerKubectl = "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505";

    private static readonly string[] InnocentBindingNames = ["ops-debug", "node-problem-detector-ext", "metrics-reader-ext", "backup-operator"];

    /// <summary>
    /// A compromised application pod with a kubectl dropped into it: asks what it may do, then lists and guesses
    /// Secrets namespace after namespace. Three times in ten its service account is (wrongly) bound to a broad
    /// ClusterRole and the reads succeed.
    /// </summary>
    private IEnumerable<long> SecretEnumeration()
    {
        var pod = PickAppPod();
        var who = pod.Identity;
        var broad = Rng.Chance(0.3);
        var broadReason = $"RBAC: allowed by ClusterRoleBinding \"{pod.Workload.Name}-ops\" of ClusterRole \"ops-automation\" to ServiceAccount \"{pod.Workload.ServiceAccount}/{pod.Namespace}\"";
        var rules = Sim.Request(who, Verbs.Create, Api.SelfSubjectRulesReviews, null);
        rules.UserAgent = AttackerKubectl;
        rules.Reason = HumanAuthorization.BasicUserReason;
        rules.Body = new SelfSubjectRulesReviewBody(pod.Namespace, broad);
        Sim.Submit(rules);
        yield return Seconds(Rng.Next(2, 20));
        var namespaces = Sim.Request(who, Verbs.List, Api.Namespaces, null, query: "?limit=500");
        Grant(namespaces, broad, broadReason);
        Sim.Submit(namespaces);
        var targets = Cluster.AllNamespaces.OrderBy(_ => Rng.NextUInt64()).Take(Rng.Next(5, 12)).Prepend(pod.Namespace).Distinct().ToArray();
        foreach (var ns in targets)
        {
            yield return Ms(Rng.Next(300, 3000));
            var list = Sim.Request(who, Verbs.List, Api.Secrets, ns, query: "?limit=500");
            list.UserAgent = AttackerKubectl;
            Grant(list, broad, broadReason);
            Sim.Submit(list);
            foreach (var guess in Names.GuessedSecrets.OrderBy(_ => Rng.NextUInt64()).Take(Rng.Next(1, 4)))
            {
                yield return Ms(Rng.Next(200, 1500));
                var get = Sim.Request(who, Verbs.Get, Api.Secrets, ns, guess);
                get.UserAgent = AttackerKubectl;
                var ownNamespace = ns == pod.Namespace;
                Grant(get, broad || ownNamespace, broad ? broadReason : pod.Workload.AllowReason);
                Sim.Submit(get.Failed || Rng.Chance(0.4) ? get : get.NotFound());
            }
        }
    }

    private static void Grant(AuditRequest r, bool allowed, string reason)
    {
        if (allowed)
        {
            r.Reason = reason;
        }
        else
        {
            r.Forbid();
        }
    }

    /// <summary>
    /// A developer's stolen credentials and an RBAC mistake (developers may manage ClusterRoleBindings): bind
    /// yourself to cluster-admin, start a privileged pod with the host's root mounted (Pod Security refuses it
    /// in a baseline namespace, kube-system is exempt), exec into it, clean up.
    /// </summary>
    private IEnumerable<long> PrivilegeEscalation()
    {
        var human = PickHuman(HumanRole.Developer);
        var user = human.Identity;
        var rbacReason = $"RBAC: allowed by ClusterRoleBinding \"developers-rbac\" of ClusterRole \"rbac-manager\" to Group \"{human.Group}\"";
        var canI = Sim.Request(user, Verbs.Create, Api.SelfSubjectAccessReviews, null);
        canI.Reason = HumanAuthorization.BasicUserReason;
        canI.Body = new SelfSubjectAccessReviewBody(null, Verbs.Create, "rbac.authorization.k8s.io", "clusterrolebindings", true, rbacReason);
        Sim.Submit(canI);
        yield return Seconds(Rng.Next(5, 60));

        var bindingName = Rng.Pick(InnocentBindingNames) + "-" + Rng.Suffix(5);
        var binding = Sim.Request(user, Verbs.Create, Api.ClusterRoleBindings, null, query: "?fieldManager=kubectl-create&fieldValidation=Strict");
        binding.BodyName = bindingName;
        binding.Reason = rbacReason;
        binding.Body = new BindingBody(Api.ClusterRoleBindings, "ClusterRole", "cluster-admin", new Subject("User", user.Username));
        Sim.Submit(binding);
        yield return Seconds(Rng.Next(3, 30));

        var adminReason = $"RBAC: allowed by ClusterRoleBinding \"{bindingName}\" of ClusterRole \"cluster-admin\" to User \"{user.Username}\"";
        var node = Cluster.PickWorker();
        var podName = "node-debugger-" + Rng.Suffix(5);
        var body = new PrivilegedPodBody(node.Name, "docker.io/library/alpine:3.20");
        if (Rng.Chance(0.4))
        {
            var refused = PrivilegedPod(user, "default", podName, adminReason, body)
                .Annotate("pod-security.kubernetes.io/enforce-policy", "baseline:latest")
                .AdmissionDenied("violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), "
                    + "privileged (container \"shell\" must not set securityContext.privileged=true), hostPath volumes (volume \"host-root\")");
            Sim.Submit(refused);
            yield return Seconds(Rng.Next(10, 60));
        }

        Sim.Submit(PrivilegedPod(user, ClusterModel.KubeSystem, podName, adminReason, body).Annotate("pod-security.kubernetes.io/exempt", "namespace"));
        yield return Seconds(Rng.Next(5, 20));

        var session = Minutes(Rng.Next(2, 15));
        var exec = Sim.Request(user, Clients.StreamVerb(human.KubectlBuild, "exec"), Api.Pods, ClusterModel.KubeSystem, podName, "exec",
            "?command=bash&container=shell&stdin=true&stdout=true&tty=true");
        exec.Reason = adminReason;
        exec.Code = 101;
        exec.DurationMicros = session;
        Sim.Submit(exec);
        yield return session + Seconds(Rng.Next(5, 60));

        var deletePod = Sim.Request(user, Verbs.Delete, Api.Pods, ClusterModel.KubeSystem, podName);
        deletePod.Reason = adminReason;
        deletePod.Body = DeleteOptionsBody.Instance;
        Sim.Submit(deletePod);
        var deleteBinding = Sim.Request(user, Verbs.Delete, Api.ClusterRoleBindings, null, bindingName).After(Ms(Rng.Next(500, 4000)));
        deleteBinding.Reason = adminReason;
        deleteBinding.DeletedUid = Infrastructure.Uuid.FromName(bindingName).ToString();
        deleteBinding.Body = DeleteOptionsBody.Instance;
        Sim.Submit(deleteBinding);
    }

    private AuditRequest PrivilegedPod(Identity user, string ns, string name, string reason, PrivilegedPodBody body)
    {
        var r = Sim.Request(user, Verbs.Create, Api.Pods, ns, query: "?fieldManager=kubectl-run");
        r.BodyName = name;
        r.Reason = reason;
        r.Body = body;
        return r;
    }

    /// <summary>
    /// Interactive and one-shot execs into kube-system pods: reading etcd, kube-proxy's kubeconfig, a shell in
    /// CoreDNS. An admin's credentials succeed; a developer's are refused.
    /// </summary>
    private IEnumerable<long> ExecIntoSystemPods()
    {
        var human = PickHuman(Rng.Chance(0.6) ? HumanRole.Admin : HumanRole.Developer);
        Sim.Submit(Sim.Request(human.Identity, Verbs.List, Api.Pods, ClusterModel.KubeSystem, query: "?limit=500"));
        var targets = Cluster.Workloads.Where(w => w.Namespace == ClusterModel.KubeSystem && w.Pods.Count > 0 && w.Name != "kube-controller-manager").ToList();
        var execs = Rng.Next(1, 4);
        for (var i = 0; i < execs; i++)
        {
            yield return Seconds(Rng.Next(5, 90));
            var workload = Rng.Pick(targets);
            var pod = Rng.Pick(workload.Pods);
            var query = workload.Name switch
            {
                "etcd" => "?command=etcdctl&command=get&command=%2Fregistry%2Fsecrets&command=--prefix&command=--keys-only&container=etcd&stderr=true&stdout=true",
                "kube-proxy" => "?command=cat&command=%2Fvar%2Flib%2Fkube-proxy%2Fkubeconfig.conf&container=kube-proxy&stderr=true&stdout=true",
                _ => $"?command=sh&container={workload.Container}&stdin=true&stdout=true&tty=true",
            };
            var exec = Sim.Request(human.Identity, Clients.StreamVerb(human.KubectlBuild, "exec"), Api.Pods, pod.Namespace, pod.Name, "exec", query);
            HumanAuthorization.Authorize(human, exec);
            if (!exec.Failed)
            {
                exec.Code = 101;
                exec.DurationMicros = query.Contains("tty=true", StringComparison.Ordinal) ? Minutes(Rng.Next(1, 10)) : Seconds(Rng.Next(1, 5));
            }

            Sim.Submit(exec);
        }
    }

    /// <summary>
    /// CI's service account, allowed to impersonate (a common shortcut), used to act as system:admin in
    /// system:masters, or as a controller whose ClusterRole aggregates everything.
    /// </summary>
    private IEnumerable<long> Impersonation()
    {
        var pod = Rng.Pick(Cluster.CiRunner.Pods);
        var asMaster = Rng.Chance(0.6);
        var target = asMaster
            ? new Identity("system:admin", null, [Identity.Masters, Identity.Authenticated], TrafficKind.Human, AttackerKubectl, pod.Ip, "")
            : Cluster.Controller("generic-garbage-collector");
        var steps = Rng.Next(5, 15);
        for (var i = 0; i < steps; i++)
        {
            var ns = Rng.Pick(Cluster.AllNamespaces);
            var r = Rng.Next(5) switch
            {
                0 => Sim.Request(pod.Identity, Verbs.List, Api.Secrets, ClusterModel.KubeSystem, query: "?limit=500"),
                1 => Sim.Request(pod.Identity, Verbs.List, Api.ClusterRoleBindings, null, query: "?limit=500"),
                2 => Sim.Request(pod.Identity, Verbs.Get, Api.Secrets, ns, Rng.Pick(Names.GuessedSecrets)),
                3 => Sim.Request(pod.Identity, Verbs.List, Api.Nodes, null, query: "?limit=500"),
                _ => Sim.Request(pod.Identity, Verbs.List, Api.Pods, null, query: "?limit=500"),
            };
            r.UserAgent = AttackerKubectl;
            r.Impersonated = target;
            r.Reason = target.AllowReason;
            if (r.Verb == Verbs.Get && Rng.Chance(0.5))
            {
                r.NotFound();
            }

            Sim.Submit(r);
            yield return Seconds(Rng.Next(2, 30));
        }
    }
}
