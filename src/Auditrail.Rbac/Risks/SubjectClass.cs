using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Risks;

/// <summary>Who a subject stands for, as far as risk goes.</summary>
public enum SubjectClass
{
    /// <summary>A person, a team group or an application's service account.</summary>
    Ordinary,

    /// <summary>A control-plane identity (system:* users and groups, kube-system controllers bound by system: bindings) that needs strong permissions by design.</summary>
    System,

    /// <summary>Everyone of a kind: system:authenticated, system:unauthenticated, system:anonymous, all service accounts (of a namespace).</summary>
    Broad,
}

/// <summary>Classifies subjects for risk reporting.</summary>
public static class SubjectClassifier
{
    public static SubjectClass Classify(RbacSubject subject, RbacBinding binding)
    {
        if (BroadDescription(subject) is not null)
        {
            return SubjectClass.Broad;
        }

        return subject.Kind switch
        {
            SubjectKind.User or SubjectKind.Group when subject.Name.StartsWith("system:", StringComparison.Ordinal) => SubjectClass.System,
            // A controller's account in kube-system counts as the control plane's only when the binding is
            // one of the bootstrap "system:" ones: the same account bound by a custom binding is not by design.
            SubjectKind.ServiceAccount when subject.EffectiveNamespace(binding.Namespace) == "kube-system"
                && binding.Name.StartsWith("system:", StringComparison.Ordinal) => SubjectClass.System,
            _ => SubjectClass.Ordinary,
        };
    }

    /// <summary>Who a broad subject is, in words (null when not broad).</summary>
    public static string? BroadDescription(RbacSubject subject) => (subject.Kind, subject.Name) switch
    {
        (SubjectKind.Group, RequestAttributes.AuthenticatedGroup) => "every authenticated user and service account",
        (SubjectKind.Group, RequestAttributes.UnauthenticatedGroup) => "every anonymous request",
        (SubjectKind.User, RequestAttributes.AnonymousUser) => "every anonymous request",
        (SubjectKind.Group, RequestAttributes.ServiceAccountsGroup) => "every service account of every namespace",
        (SubjectKind.Group, var name) when name.StartsWith(RequestAttributes.ServiceAccountsGroup + ":", StringComparison.Ordinal) =>
            $"every service account of namespace {name[(RequestAttributes.ServiceAccountsGroup.Length + 1)..]}",
        _ => null,
    };
}
