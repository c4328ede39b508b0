using static Auditrail.Detection.Falco.FalcoCel;

namespace Auditrail.Detection.Falco;

/// <summary>
/// Falco's k8saudit fields (<c>ka.*</c>) and the JSON plugin's (<c>json.*</c>, <c>jevt.*</c>) as CEL,
/// with the plugin's semantics: values are the event's JSON read as text (a string as itself, anything
/// else as compact JSON), list fields collect one value per container, volume or rule, and a field
/// the event lacks is absent, never an error. Fields with a catalog equivalent read the catalog field,
/// so translated rules stay readable and the rule index still sees their verbs and resources.
/// </summary>
internal static class FalcoFields
{
    /// <summary>How a field takes an argument in brackets.</summary>
    private enum Argument
    {
        None,

        /// <summary><c>[0]</c>: narrows a list field to one container, volume or rule.</summary>
        OptionalIndex,

        /// <summary><c>[key]</c> or <c>[/json/pointer]</c>: required.</summary>
        RequiredKey,
    }

    private sealed record Definition(Argument Argument, Func<string?, FalcoFieldValue> Build);

    /// <summary>The pod spec lists whose containers the <c>ka.req.pod.&lt;list&gt;.*</c> fields read.</summary>
    private static readonly string[] ContainerLists = ["containers", "initContainers", "ephemeralContainers"];

    private static readonly Dictionary<string, Definition> Definitions = Build();

    /// <summary>Every field name this translator knows.</summary>
    public static IEnumerable<string> Names => Definitions.Keys;

    /// <summary>The CEL reading of a field, or null with the reason it has none.</summary>
    public static FalcoFieldValue? Resolve(string name, string? argument, out string? error)
    {
        error = null;
        if (!Definitions.TryGetValue(name, out var definition))
        {
            error = $"unknown field '{name}' (not a k8saudit, json or jevt field)";
            return null;
        }

        switch (definition.Argument)
        {
            case Argument.None when argument is not null:
                error = $"field '{name}' takes no argument, found [{argument}]";
                return null;
            case Argument.RequiredKey when string.IsNullOrEmpty(argument):
                error = $"field '{name}' needs an argument in brackets, e.g. {name}[…]";
                return null;
            case Argument.OptionalIndex when argument is not null && !IsIndex(argument):
                error = $"field '{name}' takes an index such as [0], found [{argument}]";
                return null;
        }

        if (name is "json.value" or "jevt.value" && !IsJsonPointer(argument!))
        {
            error = $"'{argument}' is not a JSON pointer (RFC 6901: empty, or starting with '/')";
            return null;
        }

        return definition.Build(argument);
    }

    private static bool IsIndex(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static bool IsJsonPointer(string text) => text.Length == 0 || text[0] == '/';

    private static Dictionary<string, Definition> Build()
    {
        var fields = new Dictionary<string, Definition>(StringComparer.Ordinal);
        void Plain(string name, FalcoFieldValue value) => fields[name] = new Definition(Argument.None, _ => value);
        void Indexed(string name, Func<string?, FalcoFieldValue> build) => fields[name] = new Definition(Argument.OptionalIndex, build);
        void Keyed(string name, Func<string?, FalcoFieldValue> build) => fields[name] = new Definition(Argument.RequiredKey, build);

        Plain("ka.auditid", Always("auditID"));
        Plain("ka.stage", Always("stage"));
        Plain("ka.verb", Always("verb"));
        Plain("ka.auth.decision", Annotation("authorization.k8s.io/decision"));
        Plain("ka.auth.reason", Annotation("authorization.k8s.io/reason"));
        Plain("ka.auth.openshift.decision", Annotation("authorization.openshift.io/decision"));
        Plain("ka.auth.openshift.username", Annotation("authentication.openshift.io/username"));
        Plain("ka.validations.admission.policy.failure", Annotation("validation.policy.admission.k8s.io/validation_failure"));
        Plain("ka.security.pod.violations", Annotation("pod-security.kubernetes.io/audit-violations"));
        Plain("ka.user.name", Dotted("user.username"));
        Plain("ka.user.groups", new ListValue("user.groups"));
        Plain("ka.impuser.name", Dotted("impersonatedUser.username"));
        Plain("ka.uri", TopLevel("requestURI"));
        Keyed("ka.uri.param", key => new OptionalValue(
            $"event.jsonStrings(\"/requestURI\").filter(u, isURL(u)).map(u, url(u).getQuery()[?{Quote(key!)}].orValue([])).filter(p, size(p) > 0).map(p, p[0])"));
        Plain("ka.target.name", Dotted("objectRef.name"));
        Plain("ka.target.namespace", Dotted("objectRef.namespace"));
        Plain("ka.target.resource", Dotted("objectRef.resource"));
        Plain("ka.target.subresource", Dotted("objectRef.subresource"));
        Plain("ka.target.pod.name", new GuardedValue("has(objectRef.name) && has(objectRef.resource) && objectRef.resource == \"pods\"", "objectRef.name"));
        Plain("ka.useragent", TopLevel("userAgent"));
        Plain("ka.sourceips", new ListValue("sourceIPs"));
        // Our cluster name comes from the log's envelope (GKE, EKS, AKS); a check on it for an event without
        // one is an error (no match) rather than false, since CEL cannot test a top-level field's presence.
        Plain("ka.cluster.name", Always("cluster"));
        Plain("ka.response.code", new GuardedValue("has(responseStatus.code)", "string(responseStatus.code)") { CatalogField = "responseStatus.code" });
        Plain("ka.response.reason", Dotted("responseStatus.reason"));
        Plain("ka.resp.name", Json("/responseObject/metadata/name"));

        // Bindings and roles.
        Plain("ka.req.binding.subjects", List("/requestObject/subjects/*"));
        Plain("ka.req.binding.subjects.user_names", SubjectNames("User"));
        Plain("ka.req.binding.subjects.serviceaccount_names", SubjectNames("ServiceAccount"));
        Plain("ka.req.binding.subjects.group_names", SubjectNames("Group"));
        Plain("ka.req.binding.subjects.serviceaccount_ns_names", new ListValue(
            "event.jsonValues(\"/requestObject/subjects/*\").filter(s, s.jsonStrings(\"/kind\") == [\"ServiceAccount\"])"
            + ".map(s, (s.jsonStrings(\"/namespace\") + [\"\"])[0] + \":\" + (s.jsonStrings(\"/name\") + [\"\"])[0])"));
        Plain("ka.req.binding.role", Json("/requestObject/roleRef/name"));

        // Deprecated upstream: documented to return N/A, implemented as "true" whatever the argument.
        Keyed("ka.req.binding.subject.has_name", _ => new GuardedValue(null, "\"true\""));
        Plain("ka.req.role.rules", List("/requestObject/rules/*"));
        foreach (var part in new[] { "apiGroups", "nonResourceURLs", "verbs", "resources" })
        {
            Indexed($"ka.req.role.rules.{part}", index => List($"/requestObject/rules/{index ?? "*"}/{part}/*"));
        }

        Plain("ka.req.configmap.name", Dotted("objectRef.name"));
        Plain("ka.req.configmap.obj", Json("/requestObject/data"));

        // Pods: the pod spec, then each container list.
        Plain("ka.req.pod.host_ipc", Json("/requestObject/spec/hostIPC"));
        Plain("ka.req.pod.host_network", Json("/requestObject/spec/hostNetwork"));
        Plain("ka.req.container.host_network", Json("/requestObject/spec/hostNetwork"));
        Plain("ka.req.pod.host_pid", Json("/requestObject/spec/hostPID"));
        Plain("ka.req.pod.run_as_user", Json("/requestObject/spec/securityContext/runAsUser"));
        Plain("ka.req.pod.run_as_group", Json("/requestObject/spec/securityContext/runAsGroup"));
        Plain("ka.req.pod.fs_group", Json("/requestObject/spec/securityContext/fsGroup"));
        Plain("ka.req.pod.supplemental_groups", List("/requestObject/spec/securityContext/supplementalGroups/*"));
        foreach (var list in ContainerLists)
        {
            AddContainerFields(fields, list);
        }

        // The deprecated single-container fields read the first container.
        Plain("ka.req.container.image", Json("/requestObject/spec/containers/0/image"));
        Plain("ka.req.container.image.repository", new OptionalValue(Repositories("event.jsonStrings(\"/requestObject/spec/containers/0/image\")")));
        Plain("ka.req.container.privileged", new OptionalValue(
            "event.jsonValues(\"/requestObject/spec/containers\").map(cs, cs.jsonValues(\"/*/securityContext/privileged\").exists(p, p == true) ? \"true\" : \"false\")"));

        Indexed("ka.req.pod.volumes.hostpath", index => List($"/requestObject/spec/volumes/{index ?? "*"}/hostPath/path"));
        Indexed("ka.req.pod.volumes.flexvolume_driver", index => List($"/requestObject/spec/volumes/{index ?? "*"}/flexVolume/driver"));
        Indexed("ka.req.pod.volumes.volume_type", index => new ListValue(
            $"event.jsonValues(\"/requestObject/spec/volumes/{index ?? "*"}\").map(v, type(v) == map ? v.filter(k, k != \"name\") : []).flatten()"));
        Keyed("ka.req.volume.hostpath", HostPathUsed);
        Plain("ka.req.service.type", Json("/requestObject/spec/type"));

        // The plugin reads the ports array as one value unless an index picks a port.
        Indexed("ka.req.service.ports", index => List(index is null ? "/requestObject/spec/ports" : $"/requestObject/spec/ports/{index}"));

        foreach (var prefix in new[] { "json", "jevt" })
        {
            Keyed($"{prefix}.value", pointer => JsonPointerField(pointer!));
            Plain($"{prefix}.obj", new GuardedValue(null, "jsonText(event)"));

            // Falco stamps every event with a time, never 0 (rules test "jevt.rawtime=0" for "never"): ours is the
            // stage timestamp (v1beta1's timestamp), else when the request was received, in nanoseconds; 1 when the event has neither.
            Plain($"{prefix}.rawtime", new GuardedValue(null,
                $"has(event.stageTimestamp) || has(event.timestamp) ? {Nanoseconds("stageTimestamp")} : has(event.requestReceivedTimestamp) ? {Nanoseconds("requestReceivedTimestamp")} : \"1\""));
        }

        return fields;
    }

    private static void AddContainerFields(Dictionary<string, Definition> fields, string list)
    {
        var prefix = $"ka.req.pod.{list}";
        string Each(string? index) => $"/requestObject/spec/{list}/{index ?? "*"}";
        void Indexed(string name, Func<string?, FalcoFieldValue> build) => fields[$"{prefix}.{name}"] = new Definition(Argument.OptionalIndex, build);

        Indexed("image", index => List($"{Each(index)}/image"));
        Indexed("image.repository", index => new ListValue(Repositories($"event.jsonStrings(\"{Each(index)}/image\")")));
        Indexed("name", index => List($"{Each(index)}/name"));
        Indexed("args", index => List($"{Each(index)}/args/*"));
        Indexed("command", index => List($"{Each(index)}/command/*"));
        Indexed("privileged", index => List($"{Each(index)}/securityContext/privileged"));
        Indexed("allow_privilege_escalation", index => List($"{Each(index)}/securityContext/allowPrivilegeEscalation"));
        Indexed("read_only_fs", index => List($"{Each(index)}/securityContext/readOnlyRootFilesystem"));
        Indexed("run_as_user", index => List($"{Each(index)}/securityContext/runAsUser"));
        Indexed("run_as_group", index => List($"{Each(index)}/securityContext/runAsGroup"));
        Indexed("proc_mount", index => List($"{Each(index)}/securityContext/procMount"));
        Indexed("add_capabilities", index => List($"{Each(index)}/securityContext/capabilities/add/*"));

        // A port's hostPort, or its containerPort when it has none (with hostNetwork they are the same port).
        Indexed("host_port", index => new ListValue(
            $"event.jsonValues(\"{Each(index)}/ports/*\").map(p, p.jsonStrings(\"/hostPort\") + p.jsonStrings(\"/containerPort\")).filter(v, size(v) > 0).map(v, v[0])"));

        // What a container runs as: its own securityContext, else the pod's, else root.
        Indexed("eff_run_as_user", index => EffectiveId(Each(index), "runAsUser"));
        Indexed("eff_run_as_group", index => EffectiveId(Each(index), "runAsGroup"));
    }

    private static string Nanoseconds(string timestamp) => $"string(int({timestamp}) * 1000000000 + {timestamp}.getMilliseconds() * 1000000)";

    private static ListValue EffectiveId(string containers, string key) => new(
        $"cel.bind(pod, event.jsonStrings(\"/requestObject/spec/securityContext/{key}\"), event.jsonValues(\"{containers}\").map(c, (c.jsonStrings(\"/securityContext/{key}\") + pod + [\"0\"])[0]))");

    /// <summary>The repository of each image: the text before the first ':' and then before '@', as the plugin cuts it.</summary>
    private static string Repositories(string images) => $"{images}.map(i, i.split(\":\")[0].split(\"@\")[0])";

    private static ListValue SubjectNames(string kind) => new(
        $"event.jsonValues(\"/requestObject/subjects/*\").filter(s, s.jsonStrings(\"/kind\") == [{Quote(kind)}]).map(s, s.jsonStrings(\"/name\")).flatten()");

    /// <summary><c>ka.req.volume.hostpath[/proc*]</c>: "true" when a hostPath volume is that path (or, with a trailing '*', under that prefix).</summary>
    private static OptionalValue HostPathUsed(string? argument)
    {
        var path = argument!;
        var match = path.EndsWith('*') ? $"p.startsWith({Quote(path[..^1])}) || p == {Quote(path)}" : $"p == {Quote(path)}";
        return new OptionalValue(
            $"event.jsonValues(\"/requestObject/spec/volumes\").map(vs, vs.jsonStrings(\"/*/hostPath/path\").exists(p, {match}) ? \"true\" : \"false\")");
    }

    /// <summary>
    /// <c>jevt.value[/pointer]</c>: a catalog field when the pointer names one with the same meaning
    /// (so <c>jevt.value[/stage]</c> is <c>stage</c>), else the value at the pointer in the event's JSON.
    /// </summary>
    private static FalcoFieldValue JsonPointerField(string pointer)
    {
        switch (pointer)
        {
            case "/stage":
                return Always("stage");
            case "/verb":
                return Always("verb");
            case "/auditID":
                return Always("auditID");
            case "/requestURI":
                return TopLevel("requestURI");
            case "/userAgent":
                return TopLevel("userAgent");
            case "/user/username":
                return Dotted("user.username");
            case "/impersonatedUser/username":
                return Dotted("impersonatedUser.username");
            case "/responseStatus/reason":
                return Dotted("responseStatus.reason");
        }

        var segments = pointer.Split('/');
        if (segments is ["", "objectRef", var part] && part is "resource" or "namespace" or "name" or "subresource" or "apiGroup" or "apiVersion" or "uid" or "resourceVersion")
        {
            return Dotted($"objectRef.{part}");
        }

        if (segments is ["", "annotations", var key])
        {
            return Annotation(key.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return pointer.Split('/').Contains("*") ? Json(pointer, exactPointer: true) : Json(pointer);
    }

    /// <summary>A catalog field every event has (the reader rejects events without auditID, stage or verb).</summary>
    private static GuardedValue Always(string field) => new(null, field) { CatalogField = field };

    /// <summary>A catalog field under an object (<c>objectRef.name</c>), which <c>has()</c> can test.</summary>
    private static GuardedValue Dotted(string field) => new($"has({field})", field) { CatalogField = field };

    /// <summary>A top-level string the event may lack; <c>has()</c> tests it on the event's JSON.</summary>
    private static GuardedValue TopLevel(string field) => new($"has(event.{field})", field) { CatalogField = field };

    private static GuardedValue Annotation(string key) => new($"{Quote(key)} in annotations", $"annotations[{Quote(key)}]");

    private static OptionalValue Json(string pointer, bool exactPointer = false) =>
        new(exactPointer ? $"event.jsonStrings({Quote(pointer)}, false)" : $"event.jsonStrings({Quote(pointer)})");

    private static ListValue List(string pointer) => new($"event.jsonStrings({Quote(pointer)})");
}
