"""Exposes a header-only library installed under /usr as a Bazel cc_library.

The headers are symlinked into the external repository and declared, so that
the sandbox and Bazel's inclusion checker accept them; nothing is downloaded.
"""

def _system_headers_impl(ctx):
    root = ctx.path(ctx.attr.include_dir)
    if not root.exists:
        fail(("%s not found: run tools/setup.sh (it installs the Debian package " +
              "that provides it)") % ctx.attr.include_dir)
    for sub in ctx.attr.subdirs:
        ctx.symlink(root.get_child(sub), "include/" + sub)
    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)
    ctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])

cc_library(
    name = "headers",
    hdrs = glob(["include/**"]),
    includes = ["include"],
)
""")

system_headers_repository = repository_rule(
    implementation = _system_headers_impl,
    attrs = {
        "include_dir": attr.string(mandatory = True),
        "subdirs": attr.string_list(mandatory = True),
    },
    local = True,
)
