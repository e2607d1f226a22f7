"""A precompiled header for Bazel's native C++ rules (gcc).

Parsing LibTorch's headers is about 4.7 s of every translation unit that
includes them on the 2-core reference machine, roughly half of each compile.
`cc_precompiled_header` copies a header into the output tree and compiles it
next to itself as `<header>.gch` with exactly the command line the C++
toolchain uses for the project's sources (same compiler, -c mode, --copt,
features, PIC), so gcc accepts it. Targets that list the resulting library get
the header and its .gch as inputs; `cc.bzl` adds `-include <header>` to their
compile options, which makes gcc load the .gch instead of parsing the header.

gcc checks that a .gch was built with compatible options and macros and falls
back to the header text when it was not (add -Winvalid-pch to see when): a
mismatch costs time, never correctness. The source header must not sit at the
generated header's path, or gcc would find it first and never look for the .gch
(hence `src` is a differently named file).
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

def _cc_precompiled_header_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    deps_context = cc_common.merge_cc_infos(
        cc_infos = [dep[CcInfo] for dep in ctx.attr.deps],
    ).compilation_context

    header = ctx.actions.declare_file(ctx.attr.out)
    ctx.actions.expand_template(template = ctx.file.src, output = header, substitutions = {})
    if not ctx.attr.enabled:
        outputs = [header]
    else:
        gch = ctx.actions.declare_file(ctx.attr.out + ".gch")
        outputs = [header, gch]
        variables = cc_common.create_compile_variables(
            feature_configuration = features,
            cc_toolchain = cc_toolchain,
            user_compile_flags = ctx.fragments.cpp.copts + ctx.fragments.cpp.cxxopts,
            source_file = header.path,
            output_file = gch.path,
            include_directories = deps_context.includes,
            quote_include_directories = deps_context.quote_includes,
            system_include_directories = deps_context.system_includes,
            framework_include_directories = deps_context.framework_includes,
            preprocessor_defines = deps_context.defines,
            # The project builds with --force_pic (.bazelrc): every object is
            # PIC. A build without it compiles binaries' objects non-PIC, for
            # which gcc ignores this .gch (__PIC__ differs) and parses.
            use_pic = True,
        )
        action = "c++-compile"
        command = cc_common.get_memory_inefficient_command_line(
            feature_configuration = features,
            action_name = action,
            variables = variables,
        )
        ctx.actions.run(
            executable = cc_common.get_tool_for_action(
                feature_configuration = features,
                action_name = action,
            ),
            arguments = ["-x", "c++-header"] + command,
            env = cc_common.get_environment_variables(
                feature_configuration = features,
                action_name = action,
                variables = variables,
            ),
            inputs = depset(
                [header],
                transitive = [deps_context.headers, cc_toolchain.all_files],
            ),
            outputs = [gch],
            mnemonic = "CppPrecompileHeader",
            progress_message = "Precompiling %s" % ctx.file.src.short_path,
        )

    compilation_context = cc_common.create_compilation_context(
        headers = depset(outputs),
    )
    return [
        DefaultInfo(files = depset(outputs)),
        cc_common.merge_cc_infos(
            direct_cc_infos = [CcInfo(compilation_context = compilation_context)],
            cc_infos = [dep[CcInfo] for dep in ctx.attr.deps],
        ),
    ]

cc_precompiled_header = rule(
    implementation = _cc_precompiled_header_impl,
    attrs = {
        "src": attr.label(allow_single_file = True, mandatory = True),
        "out": attr.string(mandatory = True),
        "deps": attr.label_list(providers = [CcInfo]),
        "enabled": attr.bool(default = True),
        "_cc_toolchain": attr.label(
            default = Label("@bazel_tools//tools/cpp:current_cc_toolchain"),
        ),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)
