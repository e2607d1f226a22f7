"""Offline stand-ins for the repositories Bazel 4.2 itself would download.

Bazel 4.2's @bazel_tools loads @rules_cc//cc:defs.bzl and
@rules_java//java:defs.bzl while analysing any cc_test, and every test rule has
implicit dependencies on @remote_coverage_tools. The upstream versions would be
fetched from the network (Debian's bazel-rules-cc is too new for 4.2), so this
rule writes minimal local versions: the native rules re-exported, and no-op
coverage tools (`bazel coverage` is not supported). Nothing is downloaded.
"""

_RULES_CC_DEFS = '''"""Offline stand-in for @rules_cc//cc:defs.bzl: Bazel's native C++ rules."""

def cc_binary(**attrs):
    native.cc_binary(**attrs)

def cc_library(**attrs):
    native.cc_library(**attrs)

def cc_test(**attrs):
    native.cc_test(**attrs)

def cc_import(**attrs):
    native.cc_import(**attrs)

def cc_proto_library(**attrs):
    native.cc_proto_library(**attrs)

def cc_toolchain(**attrs):
    native.cc_toolchain(**attrs)

def cc_toolchain_suite(**attrs):
    native.cc_toolchain_suite(**attrs)

def objc_library(**attrs):
    native.objc_library(**attrs)

def objc_import(**attrs):
    native.objc_import(**attrs)
'''

_RULES_CC_BUILD = '''package(default_visibility = ["//visibility:public"])

alias(
    name = "toolchain_type",
    actual = "@bazel_tools//tools/cpp:toolchain_type",
)
'''

_JAVA_RULES = ["java_binary", "java_import", "java_library", "java_plugin",
               "java_proto_library", "java_runtime", "java_test", "java_toolchain"]

_COVERAGE_BUILD = '''package(default_visibility = ["//visibility:public"])

sh_binary(
    name = "coverage_report_generator",
    srcs = ["noop.sh"],
)

sh_binary(
    name = "lcov_merger",
    srcs = ["noop.sh"],
)
'''

def _offline_stand_in_impl(ctx):
    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)
    ctx.file("BUILD.bazel", "# Offline stand-in (isoae third_party/offline.bzl).\n")
    if ctx.attr.kind == "rules_cc":
        ctx.file("cc/BUILD.bazel", _RULES_CC_BUILD)
        ctx.file("cc/defs.bzl", _RULES_CC_DEFS)
    elif ctx.attr.kind == "rules_java":
        defs = '"""Offline stand-in for @rules_java//java:defs.bzl: Bazel\'s native Java rules."""\n'
        for rule in _JAVA_RULES:
            defs += "\ndef %s(**attrs):\n    native.%s(**attrs)\n" % (rule, rule)
        ctx.file("java/BUILD.bazel", "")
        ctx.file("java/defs.bzl", defs)
    elif ctx.attr.kind == "remote_coverage_tools":
        ctx.file("BUILD.bazel", _COVERAGE_BUILD)
        ctx.file("noop.sh", "#!/bin/sh\n# Coverage is not collected in this offline build.\nexit 0\n",
                 executable = True)
    else:
        fail("unknown offline stand-in kind '%s'" % ctx.attr.kind)

offline_stand_in = repository_rule(
    implementation = _offline_stand_in_impl,
    attrs = {
        "kind": attr.string(
            mandatory = True,
            values = ["rules_cc", "rules_java", "remote_coverage_tools"],
        ),
    },
)
