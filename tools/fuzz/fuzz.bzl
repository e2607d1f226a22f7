"""isoae_fuzz_test: one parser fuzz target, two builds (see fuzz_support.h)."""

load("//tools:cc.bzl", "torch_pch_copts")

def isoae_fuzz_test(name, srcs, deps = [], mutations = 20000, as_limit_mb = 3072, **kwargs):
    """A cc_test running seeds + mutations; a libFuzzer binary under --config=fuzz.

    Args:
      name: target name (also the scratch-file tag).
      srcs: the target's source, defining LLVMFuzzerTestOneInput and seeds.
      deps: the parser under test.
      mutations: mutated inputs per `bazel test` run.
      as_limit_mb: address-space cap of the test run (0: none).
      **kwargs: passed to cc_test.
    """
    # Inputs that once crashed or exhausted memory (from libFuzzer runs) are
    # run first, every time: tools/fuzz/regressions/<name>/*.
    regressions = native.glob(["regressions/%s/*" % name])
    native.cc_test(
        name = name,
        srcs = srcs,
        data = regressions,
        args = ["--mutations=%d" % mutations, "--as_limit_mb=%d" % as_limit_mb] + ["$(location %s)" % f for f in regressions],
        deps = deps + ["//tools/fuzz:fuzz_support"] + select({
            "//tools/fuzz:libfuzzer": ["//tools/fuzz:libfuzzer_init"],
            "//conditions:default": ["//tools/fuzz:standalone_main"],
        }),
        linkopts = select({
            "//tools/fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        copts = kwargs.pop("copts", []) + torch_pch_copts(deps),
        tags = ["fuzz"] + kwargs.pop("tags", []),
        size = kwargs.pop("size", "small"),
        **kwargs
    )
