"""isoae_fuzz_test: one parser fuzz target, two builds (see fuzz_support.h)."""

def isoae_fuzz_test(name, srcs, deps = [], mutations = 20000, **kwargs):
    """A cc_test running seeds + mutations; a libFuzzer binary under --config=fuzz.

    Args:
      name: target name (also the scratch-file tag).
      srcs: the target's source, defining LLVMFuzzerTestOneInput and seeds.
      deps: the parser under test.
      mutations: mutated inputs per `bazel test` run.
      **kwargs: passed to cc_test.
    """
    native.cc_test(
        name = name,
        srcs = srcs,
        args = ["--mutations=%d" % mutations],
        deps = deps + ["//tools/fuzz:fuzz_support"] + select({
            "//tools/fuzz:libfuzzer": ["//tools/fuzz:libfuzzer_init"],
            "//conditions:default": ["//tools/fuzz:standalone_main"],
        }),
        linkopts = select({
            "//tools/fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["fuzz"] + kwargs.pop("tags", []),
        size = kwargs.pop("size", "small"),
        **kwargs
    )
