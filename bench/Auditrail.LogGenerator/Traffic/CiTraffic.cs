using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// CI preview environments: a namespace per pull request, populated, left running, then deleted, after which
/// the namespace controller sweeps every resource type with deletecollection.
/// </summary>
internal sealed class CiTraffic(Simulator sim, PodLifecycle pods) : ScriptBase(sim)
{
    public void Install() => Sim.Start(PreviewEnvironments(), Minutes(Rng.Next(1, 15)));

    private IEnumerable<long> PreviewEnvironments()
    {
        var pullRequest = Rng.Next(1000, 9000);
        while (true)
        {
            var ns = "pr-" + (pullRequest++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var ci = Rng.Pick(Cluster.CiRunner.Pods).Identity;
            Sim.Submit(Create(ci, Api.Namespaces, null, ns, NamespaceBody.Instance));
            yield return Ms(Rng.Next(5, 30));
            Sim.Submit(Create(Cluster.Controller("service-account-controller"), Api.ServiceAccounts, ns, "default"));
            Sim.Submit(Create(Cluster.Controller("root-ca-cert-publisher"), Api.ConfigMaps, ns, "kube-root-ca.crt").After(Ms(3)));
            yield return Seconds(Rng.Next(2, 10));

            var preview = Cluster.AddPreview(ns);
            var deployment = Create(ci, Api.Deployments, ns, preview.Name, DeploymentBody.Create);
            deployment.Workload = preview;
            Sim.Submit(deployment);
            Sim.Submit(Create(ci, Api.Services, ns, preview.Name).After(Ms(40)));
            var config = Create(ci, Api.ConfigMaps, ns, preview.ConfigMapName, ConfigMapBody.Instance).After(Ms(80));
            config.Variant = Rng.Next(0, 40);
            Sim.Submit(config);
            Sim.Submit(Create(ci, Api.Secrets, ns, preview.SecretName, SecretBody.Instance).After(Ms(120)));
            Sim.Submit(Create(ci, Api.Ingresses, ns, preview.Name).After(Ms(160)));
            Sim.Submit(Create(ci, Api.Roles, ns, "preview-deployer", new RoleBody(Api.Roles, RoleBody.DeployerRules)).After(Ms(200)));
            Sim.Submit(Create(ci, Api.RoleBindings, ns, "preview-deployer",
                new BindingBody(Api.RoleBindings, "Role", "preview-deployer", new Subject("ServiceAccount", "deployer", ClusterModel.CiNamespace))).After(Ms(240)));
            yield return Ms(Rng.Next(20, 80));
            pods.Scale(preview, 2);
            yield return Minutes(Rng.Next(10, 30));

            var delete = Sim.Request(ci, Verbs.Delete, Api.Namespaces, null, ns);
            delete.Body = DeleteOptionsBody.Instance;
            Sim.Submit(delete);
            yield return Ms(Rng.Next(100, 600));
            var namespaces = Cluster.Controller("namespace-controller");
            foreach (var resource in Api.NamespacedForCleanup)
            {
                Sim.Submit(Sim.Request(namespaces, Verbs.DeleteCollection, resource, ns));
                if (resource == Api.Pods)
                {
                    foreach (var pod in preview.Pods.ToArray())
                    {
                        pods.Delete(pod, namespaces);
                    }
                }

                yield return Ms(Rng.Next(10, 80));
            }

            yield return Seconds(Rng.Next(5, 40));
            Sim.Submit(Sim.Request(namespaces, Verbs.Update, Api.Namespaces, null, ns, "finalize"));
            Sim.Submit(Sim.Request(namespaces, Verbs.Delete, Api.Namespaces, null, ns).After(Ms(8)));
            Cluster.RemoveWorkload(preview);
            yield return Minutes(Rng.Next(20, 90));
        }
    }

    private AuditRequest Create(Identity who, ApiResource resource, string? ns, string name, IObjectBody? body = null)
    {
        var r = Sim.Request(who, Verbs.Create, resource, ns);
        r.BodyName = name;
        r.Body = body;
        return r;
    }
}
