"""The project's C++ rules: Bazel's native cc_* with LibTorch precompiled.

BUILD files load cc_library / cc_binary / cc_test from here instead of using
the native rules directly. A target that lists //third_party:torch in its deps
is compiled with `-include third_party/torch_light.h`, so gcc loads the
precompiled header built by //third_party:torch (third_party/pch.bzl) instead
of parsing LibTorch's headers again in every translation unit (where no .gch
was built, e.g. under --config=fuzz, the header is simply parsed first).
Everything else is passed through unchanged.
"""

_TORCH = "//third_party:torch"

def torch_pch_copts(deps):
    """The compile options that load the LibTorch .gch, given a deps list.

    List //third_party:torch in the deps of every target whose sources see
    LibTorch's headers, directly or through other headers: only those get it.
    """
    if type(deps) == "list" and _TORCH in deps:
        return ["-include", "third_party/torch_light.h"]
    return []

def _with_torch_pch(kwargs):
    copts = torch_pch_copts(kwargs.get("deps", []))
    if copts:
        kwargs["copts"] = kwargs.get("copts", []) + copts
    return kwargs

def cc_library(**kwargs):
    native.cc_library(**_with_torch_pch(kwargs))

def cc_binary(**kwargs):
    native.cc_binary(**_with_torch_pch(kwargs))

def cc_test(**kwargs):
    native.cc_test(**_with_torch_pch(kwargs))
