using System.Text.Json.Nodes;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.Support;

namespace Auditrail.Admission.Tests.Pipeline;

/// <summary>The RFC 6902 applier and RFC 6901 pointers, on the RFC's own examples where they apply.</summary>
public sealed class JsonPatchTests
{
    private static string Apply(string document, params JsonPatchOperation[] operations) =>
        JsonPatch.Apply(Requests.Json(document), operations).GetRawText();

    [Fact]
    public void Pointer_tokens_escape_tilde_before_slash()
    {
        Assert.Equal("/metadata/labels/a~1b~0c", JsonPatch.Pointer(["metadata", "labels", "a/b~c"]));
        Assert.Equal(["metadata", "a/b~c", "~1"], JsonPatch.Tokens("/metadata/a~1b~0c/~01"));
    }

    [Fact]
    public void Add_to_objects_and_arrays()
    {
        Assert.Equal("""{"foo":"bar","baz":"qux"}""", Apply("""{"foo":"bar"}""", new JsonPatchOperation("add", "/baz", JsonValue.Create("qux"))));
        Assert.Equal("""{"foo":["bar","qux","baz"]}""", Apply("""{"foo":["bar","baz"]}""", new JsonPatchOperation("add", "/foo/1", JsonValue.Create("qux"))));
        Assert.Equal("""{"foo":["bar","qux"]}""", Apply("""{"foo":["bar"]}""", new JsonPatchOperation("add", "/foo/-", JsonValue.Create("qux"))));
        Assert.Equal("""{"foo":"new"}""", Apply("""{"foo":"old"}""", new JsonPatchOperation("add", "/foo", JsonValue.Create("new"))));
    }

    [Fact]
    public void Remove_replace_and_test()
    {
        Assert.Equal("""{"foo":"bar"}""", Apply("""{"baz":"qux","foo":"bar"}""", new JsonPatchOperation("remove", "/baz")));
        Assert.Equal("""{"foo":["bar","baz"]}""", Apply("""{"foo":["bar","qux","baz"]}""", new JsonPatchOperation("remove", "/foo/1")));
        Assert.Equal("""{"baz":"boo","foo":"bar"}""", Apply("""{"baz":"qux","foo":"bar"}""", new JsonPatchOperation("replace", "/baz", JsonValue.Create("boo"))));
        Assert.Equal("""{"a":1}""", Apply("""{"a":1}""", new JsonPatchOperation("test", "/a", JsonValue.Create(1))));
    }

    [Fact]
    public void Operations_that_cannot_apply_throw_a_patch_error()
    {
        Assert.Throws<JsonPatchException>(() => Apply("""{"foo":"bar"}""", new JsonPatchOperation("add", "/baz/bat", JsonValue.Create("qux"))));
        Assert.Throws<JsonPatchException>(() => Apply("""{"foo":"bar"}""", new JsonPatchOperation("remove", "/nope")));
        Assert.Throws<JsonPatchException>(() => Apply("""{"foo":"bar"}""", new JsonPatchOperation("replace", "/nope", JsonValue.Create(1))));
        Assert.Throws<JsonPatchException>(() => Apply("""{"a":1}""", new JsonPatchOperation("test", "/a", JsonValue.Create(2))));
        Assert.Throws<JsonPatchException>(() => Apply("""{"a":[1]}""", new JsonPatchOperation("add", "/a/5", JsonValue.Create(2))));
        Assert.Throws<JsonPatchException>(() => Apply("""{"a":1}""", new JsonPatchOperation("move", "/a", null)));
    }
}
