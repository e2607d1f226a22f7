"""The project's C++ rules: Bazel's native cc_* with LibTorch precompiled.

BUILD files load cc_library / cc_binary / cc_test from here instead of using
the native rules directly. A target that lists //third_party:torch in its deps
is compiled with `-include third_party/precompiled.h` (tests:
precompiled_test.h), so gcc loads the precompiled header built by
//third_party:precompiled (third_party/pch.bzl) instead of parsing LibTorch's,
Eigen's, Abseil's and (tests) GoogleTest's headers again in every translation
unit (where no .gch was built, e.g. under --config=fuzz, the header is simply
parsed first).
Everything else is passed through unchanged.
"""

_TORCH = "//third_party:torch"

def torch_pch_copts(deps, test = False):
    """The compile options that load the precompiled headers, given a deps list.

    List //third_party:torch in the deps of every target whose sources see
    LibTorch's headers, directly or through other headers: only those get it.
    Tests get the variant with GoogleTest and GoogleMock.
    """
    if type(deps) == "list" and _TORCH in deps:
        return ["-include", "third_party/precompiled_test.h" if test else "third_party/precompiled.h"]
    return []

def _with_torch_pch(kwargs, test = False):
    copts = torch_pch_copts(kwargs.get("deps", []), test)
    if copts:
        kwargs["copts"] = kwargs.get("copts", []) + copts
        if test:
            kwargs["deps"] = kwargs["deps"] + ["//third_party:precompiled_test"]
    return kwargs

def cc_library(**kwargs):
    native.cc_library(**_with_torch_pch(kwargs))

def cc_binary(**kwargs):
    native.cc_binary(**_with_torch_pch(kwargs))

def cc_test(**kwargs):
    native.cc_test(**_with_torch_pch(kwargs, test = True))
