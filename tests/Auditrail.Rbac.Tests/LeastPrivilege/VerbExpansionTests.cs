using Auditrail.Rbac.LeastPrivilege;

namespace Auditrail.Rbac.Tests.LeastPrivilege;

public sealed class VerbExpansionTests
{
    [Theory]
    [InlineData("list", "list get watch")]
    [InlineData("watch", "watch get list")]
    [InlineData("update", "update get patch")]
    [InlineData("patch", "patch get update")]
    [InlineData("get", "get")]
    [InlineData("create", "create")]
    [InlineData("delete", "delete")]
    [InlineData("deletecollection", "deletecollection")]
    [InlineData("impersonate", "impersonate")]
    public void Verbs_expand_as_audit2rbac_expands_them(string verb, string expected) =>
        Assert.Equal(expected.Split(' '), VerbExpansion.Expand(verb));
}
